from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "tierline.metrics"
    label = "metrics"
    verbose_name = "Business metrics"

    def ready(self):
        # Register the background tasks with the queue in every process, not only the worker's.
        from . import tasks  # noqa: F401
