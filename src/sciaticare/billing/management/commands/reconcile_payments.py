from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.billing.services import events, payments
from sciaticare.billing.tasks import reconcile_payments


class Command(BaseCommand):
    help = (
        "Record the outcome of card payments that were started and never answered (the server "
        "died between the processor's charge and our record, or the answer was lost), from the "
        "processor's events, and try again the card refunds the processor did not answer (the "
        "same refund: one it made is found, never made twice). Run every few minutes from cron; "
        "running it again changes nothing. "
        "With --enqueue the work goes to the task queue (manage.py db_worker) instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the task instead of running it here."
        )
        parser.add_argument(
            "--unanswered-for",
            type=int,
            default=None,
            metavar="SECONDS",
            help="Look up charges and refunds started at least this long ago (default: "
            f"{int(events.UNANSWERED_AFTER.total_seconds())} s for charges, "
            f"{int(payments.RETRY_REFUNDS_AFTER.total_seconds())} s for refunds; a younger one "
            "may still be waiting for its answer).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = reconcile_payments.enqueue()
            self.stdout.write(f"Queued reconcile_payments (task {result.id}).")
            return
        given = options["unanswered_for"]
        after = None if given is None else timedelta(seconds=max(0, given))
        count = events.reconcile(
            unanswered_after=events.UNANSWERED_AFTER if after is None else after
        )
        self.stdout.write(self.style.SUCCESS(f"{count} payment(s) settled."))
        refunds = payments.retry_pending_refunds(
            older_than=payments.RETRY_REFUNDS_AFTER if after is None else after
        )
        if refunds:
            self.stdout.write(self.style.SUCCESS(f"{refunds} refund(s) settled."))
