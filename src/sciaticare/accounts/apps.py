from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sciaticare.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from sciaticare.accounts import signals  # noqa: F401 - connects login bookkeeping
