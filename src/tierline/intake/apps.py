from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tierline.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self):
        # Register the background tasks with the queue in every process, not only the worker's.
        from . import tasks  # noqa: F401
