from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tierline.accounts"
    label = "accounts"
    verbose_name = "People, roles and teams"
