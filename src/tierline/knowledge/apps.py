from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "tierline.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge base"
