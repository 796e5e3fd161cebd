from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sciaticare.web"
    label = "web"

    def ready(self) -> None:
        from sciaticare.web import checks  # noqa: F401 - registers the deploy checks
