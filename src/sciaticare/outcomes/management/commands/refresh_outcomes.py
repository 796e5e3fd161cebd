from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.outcomes.tasks import refresh_outcomes


class Command(BaseCommand):
    help = (
        "Recompute the therapists' and clinics' outcome figures the directory ranks by "
        "(cron: once a day; --enqueue hands it to the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue it for db_worker instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = refresh_outcomes.enqueue()
            self.stdout.write(f"Queued {result.id}.")
        else:
            self.stdout.write(f"Wrote {refresh_outcomes.call()} outcome rows.")
