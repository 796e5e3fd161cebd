from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "sciaticare.scheduling"
    label = "scheduling"
