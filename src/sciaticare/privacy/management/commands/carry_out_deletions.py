from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.privacy.tasks import carry_out_deletions, run_daily_deletions


class Command(BaseCommand):
    help = (
        "Carry out account deletions whose cooling-off period has ended, and delete downloaded "
        "archives and progress reports past their keeping time. Run daily from cron; with "
        "--enqueue the work goes to the task queue (manage.py db_worker) instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the task instead of running it here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = carry_out_deletions.enqueue()
            self.stdout.write(f"Queued carry_out_deletions (task {result.id}).")
            return
        count, purged = run_daily_deletions()
        removed = ", ".join(f"{n} {what} removed" for what, n in purged)
        self.stdout.write(self.style.SUCCESS(f"{count} account(s) deleted; {removed}."))
