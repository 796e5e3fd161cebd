from typing import Any

from django.core.management.base import BaseCommand

from sciaticare.reminders.push import new_key_pair


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for Web Push as environment lines (VAPID_PUBLIC_KEY=…, "
        "VAPID_PRIVATE_KEY=…). Make it once per site and keep it: browsers' subscriptions are "
        "tied to the public key, so a new pair silences every device until it subscribes again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = new_key_pair()
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}")
