from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "sciaticare.records"
    label = "records"
