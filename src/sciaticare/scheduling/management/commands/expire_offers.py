from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.scheduling.services import waitlist
from sciaticare.scheduling.tasks import expire_offers_task


class Command(BaseCommand):
    help = (
        "Release waitlist holds past their time and offer each slot to the next in line. Run "
        "every few minutes from cron; with --enqueue the work goes to the task queue "
        "(manage.py db_worker) instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the task instead of running it here."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = expire_offers_task.enqueue()
            self.stdout.write(f"Queued expire_offers (task {result.id}).")
            return
        count = waitlist.expire_offers()
        self.stdout.write(self.style.SUCCESS(f"{count} offer(s) expired."))
