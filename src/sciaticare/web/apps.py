from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sciaticare.web"
    label = "web"
