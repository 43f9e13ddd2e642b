from django.apps import AppConfig


class ProbesConfig(AppConfig):
    name = "tierline.probes"
    label = "probes"
    verbose_name = "Live debugging"
