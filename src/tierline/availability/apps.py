from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    name = "tierline.availability"
    label = "availability"
    verbose_name = "Availability"
