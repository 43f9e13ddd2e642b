from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "tierline.calls"
    label = "calls"
    verbose_name = "Phone calls"

    def ready(self):
        # Register the background tasks with the queue in every process, not only the worker's.
        from . import tasks  # noqa: F401
