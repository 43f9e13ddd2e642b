from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "tierline.triage"
    label = "triage"
    verbose_name = "Triage"

    def ready(self):
        # Register the background tasks with the queue in every process, not only the worker's.
        from . import tasks  # noqa: F401
