from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "tierline.escalation"
    label = "escalation"
    verbose_name = "Escalation"

    def ready(self):
        # Register the background tasks with the queue in every process, not only the worker's.
        from . import tasks  # noqa: F401
