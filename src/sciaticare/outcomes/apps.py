from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "sciaticare.outcomes"
    label = "outcomes"
