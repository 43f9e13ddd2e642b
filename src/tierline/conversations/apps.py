from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "tierline.conversations"
    label = "conversations"
    verbose_name = "Conversations"

    def ready(self):
        # Register the background tasks with the queue in every process, not only the worker's.
        from . import tasks  # noqa: F401
