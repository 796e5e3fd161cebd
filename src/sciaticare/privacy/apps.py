from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "sciaticare.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from sciaticare.privacy import signals  # noqa: F401 - connects the sign-in reminder
