from typing import Any

from django.apps import AppConfig
from django.core import checks


def vapid_keys_pair(**kwargs: Any) -> list[checks.CheckMessage]:
    """Notifications need a VAPID key pair that is one: caught at start-up, not per message."""
    from sciaticare.reminders.push import key_problem

    problem = key_problem()
    if problem is None:
        return []
    return [
        checks.Error(
            f"Web Push keys: {problem}.",
            hint="Make a pair with `manage.py make_vapid_keys` (docs/deploy.md).",
            id="reminders.E001",
        )
    ]


class RemindersConfig(AppConfig):
    name = "sciaticare.reminders"
    label = "reminders"

    def ready(self) -> None:
        checks.register(vapid_keys_pair)
        # Privacy erases through each app's own writes (privacy/erasure.py).
        from sciaticare.privacy import erasure
        from sciaticare.reminders.services.devices import purge_expired
        from sciaticare.reminders.services.erasure import erase_patient_data, purge_old_deliveries

        erasure.register_eraser(self.label, erase_patient_data)
        erasure.register_purge(self.label, "expired push subscription(s)", purge_expired)
        erasure.register_purge(self.label, "old reminder record(s)", purge_old_deliveries)
