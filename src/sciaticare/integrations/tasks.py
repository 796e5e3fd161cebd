"""Background work of the integrations, through Django's Tasks API.

Calendars: each appointment's event is written from a task after the booking, move or
cancellation commits, so a booking never waits on (or fails because of) the therapist's
calendar server. Busy times are read on a schedule: nothing in the Tasks API repeats a task by
itself, so the machine's scheduler runs ``manage.py read_calendars --enqueue`` every
CALENDAR_SYNC_SECONDS (docs/deploy.md), which also retries failed writes.
"""

from __future__ import annotations

from django.tasks import task

from sciaticare.integrations.selectors import calendars as calendar_selectors
from sciaticare.integrations.services import calendars
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.services import booking, changes

# --- Calendars ------------------------------------------------------------------------------------


@task
def write_calendar_event_task(appointment_id: int) -> None:
    """Make the therapist's calendar match one appointment (put, update or remove its event)."""
    calendars.write_appointment_event(appointment_id=appointment_id)


@task
def read_calendar_task(connection_id: int) -> bool:
    """Read one therapist's busy times again, then write the events still missing or failed."""
    return calendars.sync_calendar(connection_id=connection_id)


def write_event_later(appointment_id: int) -> None:
    # Most therapists have no calendar of their own connected: then nothing is queued, and a
    # calendar connected later gets the sessions booked before it from its scheduled round
    # (calendars.appointments_to_write).
    if calendar_selectors.writes_to_a_calendar(appointment_id):
        write_calendar_event_task.enqueue(appointment_id)


def move_event_later(new_appointment_id: int) -> None:
    """After a move the hook gets the new appointment: its event is written and the old one's
    removed."""
    if not calendar_selectors.writes_to_a_calendar(new_appointment_id):
        return  # as write_event_later: the old appointment is the same therapist's
    old_id = (
        Appointment.objects.filter(pk=new_appointment_id)
        .values_list("rescheduled_from_id", flat=True)
        .first()
    )
    write_calendar_event_task.enqueue(new_appointment_id)
    if old_id is not None:
        write_calendar_event_task.enqueue(old_id)


def connect_calendars() -> None:
    """Register the calendar hooks with scheduling's services (IntegrationsConfig.ready;
    idempotent)."""
    for hooks, hook in (
        (booking.on_booked, write_event_later),
        (changes.on_cancelled, write_event_later),
        (changes.on_rescheduled, move_event_later),
    ):
        if hook not in hooks:
            hooks.append(hook)
