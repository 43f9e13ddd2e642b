from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "tierline.feedback"
    label = "feedback"
    verbose_name = "Feedback"
