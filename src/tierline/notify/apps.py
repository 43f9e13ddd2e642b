from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tierline.notify"
    label = "notify"
    verbose_name = "Notifications"
