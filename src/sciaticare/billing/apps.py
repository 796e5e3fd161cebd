from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sciaticare.billing"
    label = "billing"
