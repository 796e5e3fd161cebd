from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sciaticare.integrations.models import CalendarConnection
from sciaticare.integrations.services import calendars
from sciaticare.integrations.tasks import read_calendar_task


class Command(BaseCommand):
    help = (
        "Read every connected therapist calendar's busy times again and retry the events that "
        "could not be written. Run every CALENDAR_SYNC_SECONDS (5 minutes) from cron: busy times "
        "older than that are unknown and the therapist's times are not offered. With --enqueue "
        "each calendar is a task for the queue (manage.py db_worker) instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue one task per calendar instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(CalendarConnection.objects.order_by("pk").values_list("pk", flat=True))
        if options["enqueue"]:
            for connection_id in ids:
                read_calendar_task.enqueue(connection_id)
            self.stdout.write(f"Queued {len(ids)} calendar read(s).")
            return
        worked = sum(calendars.sync_calendar(connection_id=pk) for pk in ids)
        self.stdout.write(self.style.SUCCESS(f"{worked} of {len(ids)} calendar(s) read."))
