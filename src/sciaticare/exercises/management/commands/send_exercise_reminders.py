from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.exercises.tasks import send_exercise_reminders


class Command(BaseCommand):
    help = (
        "Send the morning reminders of the day's home exercises, each in the patient's own "
        "morning (cron: hourly; --enqueue hands it to the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue it for db_worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = send_exercise_reminders.enqueue()
            self.stdout.write(f"Queued {result.id}.")
        else:
            self.stdout.write(f"Sent {send_exercise_reminders.call()} reminders.")
