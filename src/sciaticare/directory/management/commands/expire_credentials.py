from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.directory.services import credentials
from sciaticare.directory.tasks import expire_credentials


class Command(BaseCommand):
    help = (
        "Mark therapists' credentials past their expiry date expired. Run daily from cron; "
        "with --enqueue the work goes to the task queue (manage.py db_worker) instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the task instead of running it here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = expire_credentials.enqueue()
            self.stdout.write(f"Queued expire_credentials (task {result.id}).")
            return
        count = credentials.expire_credentials()
        self.stdout.write(self.style.SUCCESS(f"{count} credential(s) marked expired."))
