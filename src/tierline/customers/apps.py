from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tierline.customers"
    label = "customers"
    verbose_name = "Customers"
