from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tierline.audit"
    label = "audit"
    verbose_name = "Audit trail"
