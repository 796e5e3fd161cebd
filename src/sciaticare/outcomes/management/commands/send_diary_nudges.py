from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.outcomes.tasks import send_diary_nudges


class Command(BaseCommand):
    help = (
        "Send the pain-diary nudges due now, each in the patient's own evening (cron: hourly; "
        "--enqueue hands it to the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue it for db_worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = send_diary_nudges.enqueue()
            self.stdout.write(f"Queued {result.id}.")
        else:
            self.stdout.write(f"Sent {send_diary_nudges.call()} reminders.")
