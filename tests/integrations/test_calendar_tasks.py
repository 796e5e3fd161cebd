"""A booking, a move or a cancellation queues the write of its event only for a therapist whose
own calendar is connected: for the others there is nothing to write (a calendar connected later gets the
sessions booked before it from its scheduled round, test_calendar_sync.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sciaticare.integrations.models import CalendarConnection
from sciaticare.integrations.selectors.calendars import writes_to_a_calendar
from sciaticare.scheduling.services import booking, changes
from tests.scheduling.helpers import at, bookable_patient, working_therapist

pytestmark = pytest.mark.django_db

WRITE = "sciaticare.integrations.tasks.write_calendar_event_task"


def connected(therapist) -> None:
    CalendarConnection.objects.create(
        therapist=therapist,
        server_url="https://calendar.example.org/",
        username="ana",
        password_encrypted="sealed",
        calendar_url="https://calendar.example.org/ana/work/",
        read_at=timezone.now(),  # busy times known: the booking goes ahead
    )


def writes_queued() -> int:
    return DBTaskResult.objects.filter(task_path=WRITE).count()


@pytest.mark.parametrize("has_calendar", [False, True])
def test_book_move_and_cancel(has_calendar: bool, django_capture_on_commit_callbacks) -> None:
    therapist, _, _ = working_therapist()
    if has_calendar:
        connected(therapist)
    patient = bookable_patient()
    with django_capture_on_commit_callbacks(execute=True):
        appointment = booking.book_appointment(
            patient=patient, therapist_id=therapist.pk, start=at(3, 10)
        )
    assert writes_to_a_calendar(appointment.pk) is has_calendar
    assert writes_queued() == (1 if has_calendar else 0)
    with django_capture_on_commit_callbacks(execute=True):
        moved = changes.reschedule_appointment(
            user=patient, appointment_id=appointment.pk, new_start=at(4, 11)
        )
    assert writes_queued() == (3 if has_calendar else 0)  # the new event, and the old removed
    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=patient, appointment_id=moved.pk)
    assert writes_queued() == (4 if has_calendar else 0)


def test_no_such_appointment_writes_nothing() -> None:
    assert writes_to_a_calendar(0) is False
