from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "tierline.insights"
    label = "insights"
    verbose_name = "Insights"
