from typing import Any

from django.core.management.base import BaseCommand

from sciaticare.core import ratelimits


class Command(BaseCommand):
    help = (
        "Delete request-rate counters whose window has ended (nothing is lost: the next request "
        "starts a new window anyway). Run daily from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = ratelimits.prune()
        self.stdout.write(self.style.SUCCESS(f"{deleted} ended rate counter(s) deleted."))
