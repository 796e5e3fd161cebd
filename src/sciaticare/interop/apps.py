from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "sciaticare.interop"
    label = "interop"
