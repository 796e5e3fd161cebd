from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.billing.services import events
from sciaticare.billing.tasks import reconcile_payments


class Command(BaseCommand):
    help = (
        "Record the outcome of card payments that were started and never answered (the server "
        "died between the processor's charge and our record, or the answer was lost), from the "
        "processor's events. Run every few minutes from cron; running it again changes nothing. "
        "With --enqueue the work goes to the task queue (manage.py db_worker) instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the task instead of running it here."
        )
        parser.add_argument(
            "--unanswered-for",
            type=int,
            default=int(events.UNANSWERED_AFTER.total_seconds()),
            metavar="SECONDS",
            help="Look up charges started at least this long ago (default: %(default)s s; a "
            "younger one may still be waiting for its answer).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = reconcile_payments.enqueue()
            self.stdout.write(f"Queued reconcile_payments (task {result.id}).")
            return
        seconds = max(0, options["unanswered_for"])
        count = events.reconcile(unanswered_after=timedelta(seconds=seconds))
        self.stdout.write(self.style.SUCCESS(f"{count} payment(s) settled."))
