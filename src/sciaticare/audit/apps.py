from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sciaticare.audit"
    label = "audit"
