from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sciaticare.core.errors import Invalid
from sciaticare.directory.models import TherapistProfile
from sciaticare.integrations import caldav_client
from sciaticare.integrations.caldav_client import Account, CalendarError
from sciaticare.integrations.models import BusyInterval, CalendarEvent
from sciaticare.integrations.services import calendars

DEMO_THERAPIST = "therapist@example.com"  # Daniel Reyes (accounts/demo.py)
LONDON = ZoneInfo("Europe/London")


def _private_event(
    uid: str, summary: str, start: date | datetime, end: date | datetime, rrule: str = ""
) -> str:
    """One of Daniel's own events, as his phone would have put it there."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Daniel's phone//EN")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime(2026, 1, 1, tzinfo=LONDON))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary)
    if rrule:
        event.add("rrule", icalendar.vRecur.from_ical(rrule))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical().decode()


class Command(BaseCommand):
    help = (
        "The demo: connect Daniel Reyes's own calendar to the local CalDAV server `make run` "
        "starts, with a few private events of his (they hide slots), and write his booked "
        "sessions into it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--server", required=True, help="e.g. http://127.0.0.1:5232/")
        parser.add_argument("--user", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        therapist = TherapistProfile.objects.filter(user__email=DEMO_THERAPIST).first()
        if therapist is None:
            raise CommandError("No demo therapist: run manage.py seed_demo first.")
        account = Account(options["server"], options["user"], options["password"], 10.0)
        today = timezone.now().astimezone(LONDON).date()

        def at(days: int, hour: int, minute: int = 0) -> datetime:
            return datetime.combine(today + timedelta(days=days), time(hour, minute), LONDON)

        try:
            found = caldav_client.find_calendars(account)
            calendar = (
                found[0]
                if found
                else caldav_client.make_calendar(account, name="Daniel", slug="personal")
            )
            for uid, text in (
                ("demo-dentist", _private_event("demo-dentist", "Dentist", at(2, 10), at(2, 11))),
                (
                    "demo-lunch",
                    _private_event(
                        "demo-lunch", "Lunch", at(1, 12, 30), at(1, 13, 30), "FREQ=DAILY;COUNT=14"
                    ),
                ),
                (
                    "demo-conference",
                    _private_event(
                        "demo-conference",
                        "Conference",
                        today + timedelta(days=5),
                        today + timedelta(days=6),
                    ),
                ),
            ):
                caldav_client.put_event(
                    account, calendar.url, href=calendar.url.rstrip("/") + f"/{uid}.ics", text=text
                )
            connected = calendars.connect_calendar(
                therapist=therapist,
                server_url=options["server"],
                username=options["user"],
                password=options["password"],
                calendar_url=calendar.url,
            )
        except (CalendarError, Invalid) as exc:
            raise CommandError(f"Daniel's calendar is not connected: {exc}") from None
        calendars.sync_calendar(connection_id=connected.connection.pk)
        busy = BusyInterval.objects.filter(connection=connected.connection).count()
        written = CalendarEvent.objects.filter(connection=connected.connection).exclude(written="")
        self.stdout.write(
            f"Daniel Reyes's own calendar is connected to {calendar.url} (user "
            f"{options['user']}, password {options['password']}): {busy} busy times read, "
            f"{written.count()} sessions written into it."
        )
