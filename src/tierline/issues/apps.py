from django.apps import AppConfig


class IssuesConfig(AppConfig):
    name = "tierline.issues"
    label = "issues"
    verbose_name = "Issues"

    def ready(self):
        # Register the background tasks with the queue in every process, not only the worker's.
        from . import tasks  # noqa: F401
