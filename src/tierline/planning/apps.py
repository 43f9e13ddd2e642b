from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "tierline.planning"
    label = "planning"
    verbose_name = "Planning"
