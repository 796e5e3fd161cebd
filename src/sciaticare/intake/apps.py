from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "sciaticare.intake"
    label = "intake"
