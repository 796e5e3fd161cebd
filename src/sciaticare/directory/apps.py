from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "sciaticare.directory"
    label = "directory"
