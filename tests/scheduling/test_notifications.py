"""Mail through a real SMTP server: confirmations with an .ics, change notices, the reminder a
day before (deferred on the database backend), and no clinical detail anywhere."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from sciaticare.privacy import services as privacy_services
from sciaticare.scheduling import notifications
from sciaticare.scheduling.services import booking, changes
from tests.scheduling.helpers import at, bookable_patient, working_therapist

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    therapist, session, location = working_therapist(first_name="Ada", last_name="Byrne")
    patient = bookable_patient(first_name="Rowena", last_name="Quill")
    return {"therapist": therapist, "session": session, "location": location, "patient": patient}


def _book(world, start, capture):
    with capture(execute=True):
        return booking.book_appointment(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=start
        )


def _ics(message) -> Calendar:
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "session.ics"
    return Calendar.from_ical(part.get_content())


def test_booking_sends_the_patient_a_confirmation_with_the_session_as_ics(
    world, smtp, django_capture_on_commit_callbacks
):
    start = at(3, 10)

    appointment = _book(world, start, django_capture_on_commit_callbacks)

    (message,) = smtp.to(world["patient"].email)
    assert message["Subject"].startswith("Booked: massage with Ada Byrne on ")
    assert message["To"] == world["patient"].email
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Your massage with Ada Byrne is booked." in body
    assert "10:00–11:00 (Europe/London time, " in body
    assert world["location"].address in body
    assert f"/appointments/{appointment.pk}/" in body
    (event,) = _ics(message).events
    assert event.start == start
    assert str(event.start.tzinfo) == "Europe/London"
    assert event.start.utcoffset() == start.utcoffset()
    assert str(event["SUMMARY"]) == "Massage with Ada Byrne"
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_therapist_is_told_of_the_booking_with_the_clients_first_name_only(
    world, smtp, django_capture_on_commit_callbacks
):
    _book(world, at(3, 10), django_capture_on_commit_callbacks)

    (message,) = smtp.to(world["therapist"].user.email)
    assert message["Subject"].startswith("New booking: Rowena on ")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Quill" not in body
    assert world["patient"].email not in body
    assert str(_ics(message).events[0]["SUMMARY"]) == "Session with Rowena"


def test_mail_carries_no_clinical_detail(world, smtp, django_capture_on_commit_callbacks):
    _book(world, at(3, 10), django_capture_on_commit_callbacks)

    for _, message in smtp.messages:
        text = message.as_string().lower()
        for clinical in (
            "triage",
            "ibuprofen",
            "buttock",
            "walk the dog",
            "intake",
            "precaution",
            "pain",
        ):
            assert clinical not in text


def test_a_late_cancellation_says_so_to_both(world, smtp, django_capture_on_commit_callbacks):
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    smtp.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(
            user=world["patient"],
            appointment_id=appointment.pk,
            now=appointment.start - timedelta(hours=3),
        )

    (to_patient,) = smtp.to(world["patient"].email)
    assert to_patient["Subject"].startswith("Cancelled: massage with Ada Byrne on ")
    body = to_patient.get_body(preferencelist=("plain",)).get_content()
    assert "is cancelled, as you asked" in body
    assert "the clinic records it as a late cancellation" in body
    assert str(_ics(to_patient).events[0]["STATUS"]) == "CANCELLED"
    (to_therapist,) = smtp.to(world["therapist"].user.email)
    therapist_body = to_therapist.get_body(preferencelist=("plain",)).get_content()
    assert "cancelled by your client" in therapist_body
    assert "late cancellation" in therapist_body


def test_an_early_cancellation_by_the_therapist_is_not_called_late(
    world, smtp, django_capture_on_commit_callbacks
):
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    smtp.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=world["therapist"].user, appointment_id=appointment.pk)

    body = smtp.to(world["patient"].email)[0].get_body(preferencelist=("plain",)).get_content()
    assert "Ada Byrne had to call it off" in body
    assert "late" not in body


def test_a_move_sends_the_new_and_old_times_and_moves_the_calendar_entry(
    world, smtp, django_capture_on_commit_callbacks
):
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    smtp.messages.clear()

    with django_capture_on_commit_callbacks(execute=True):
        moved = changes.reschedule_appointment(
            user=world["patient"], appointment_id=appointment.pk, new_start=at(4, 14)
        )

    (message,) = smtp.to(world["patient"].email)
    assert message["Subject"].startswith("Moved: massage with Ada Byrne to ")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "New time:" in body
    assert "14:00–15:00" in body
    assert "10:00–11:00" in body
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in _ics(message).events}
    assert statuses == {
        f"appointment-{appointment.pk}@127.0.0.1": "CANCELLED",
        f"appointment-{moved.pk}@127.0.0.1": "CONFIRMED",
    }
    assert len(smtp.to(world["therapist"].user.email)) == 1


def test_the_reminder_is_deferred_to_a_day_before_on_the_database_backend(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    start = at(3, 10)

    appointment = _book(world, start, django_capture_on_commit_callbacks)

    reminder = DBTaskResult.objects.get(
        task_path="sciaticare.scheduling.notifications.send_reminder"
    )
    assert reminder.run_after == start.astimezone(UTC) - timedelta(hours=24)
    assert reminder.args_kwargs == {
        "args": [appointment.pk, appointment.start.isoformat()],
        "kwargs": {},
    }
    assert (
        DBTaskResult.objects.filter(
            task_path="sciaticare.scheduling.notifications.send_booking_confirmation"
        ).count()
        == 1
    )


def test_a_session_less_than_a_day_away_gets_no_reminder(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    appointment = _book(world, at(2, 10), django_capture_on_commit_callbacks)

    assert (
        notifications.schedule_reminder(appointment.pk, now=appointment.start - timedelta(hours=20))
        is False
    )


def test_the_reminder_sends_nothing_for_a_cancelled_session(
    world, smtp, django_capture_on_commit_callbacks
):
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=world["patient"], appointment_id=appointment.pk)
    smtp.messages.clear()

    result = notifications.send_reminder.enqueue(appointment.pk, appointment.start.isoformat())

    assert result.return_value == 0
    assert smtp.messages == []


def test_the_reminder_sends_nothing_after_a_move(world, smtp, django_capture_on_commit_callbacks):
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        changes.reschedule_appointment(
            user=world["patient"], appointment_id=appointment.pk, new_start=at(3, 14)
        )
    smtp.messages.clear()

    assert (
        notifications.send_reminder.enqueue(
            appointment.pk, appointment.start.isoformat()
        ).return_value
        == 0
    )
    assert smtp.messages == []


def test_the_reminder_of_a_booked_session_arrives(world, smtp, django_capture_on_commit_callbacks):
    appointment = _book(world, at(3, 10), django_capture_on_commit_callbacks)
    smtp.messages.clear()

    assert (
        notifications.send_reminder.enqueue(
            appointment.pk, appointment.start.isoformat()
        ).return_value
        == 1
    )

    (message,) = smtp.to(world["patient"].email)
    assert message["Subject"].startswith("Reminder: massage with Ada Byrne on ")
    assert "10:00–11:00" in message.get_body(preferencelist=("plain",)).get_content()


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_a_due_reminder_over_smtp(world, smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    appointment = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=at(3, 10)
    )
    DBTaskResult.objects.exclude(task_path__endswith="send_reminder").delete()
    DBTaskResult.objects.update(run_after=timezone.now() - timedelta(minutes=1))  # a day has passed

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    (message,) = smtp.to(world["patient"].email)
    assert message["Subject"].startswith("Reminder: ")
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert appointment.pk


def test_times_are_named_with_their_zone_and_abbreviation(world):
    location = world["location"]
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    assert notifications.when_text(summer, summer + timedelta(hours=1), location) == (
        "Wednesday 1 July 2026, 10:00–11:00 (Europe/London time, BST)"
    )
    assert notifications.when_text(winter, winter + timedelta(hours=1), location) == (
        "Tuesday 1 December 2026, 10:00–11:00 (Europe/London time, GMT)"
    )


def test_a_deleted_patient_gets_no_mail_and_the_therapist_still_hears_of_the_cancellation(
    world, smtp, django_capture_on_commit_callbacks
):
    appointment = _book(world, at(20, 10), django_capture_on_commit_callbacks)
    smtp.messages.clear()
    privacy_services.request_deletion(
        user=world["patient"], now=timezone.now() - timedelta(days=15)
    )
    smtp.messages.clear()  # the "deletion requested" mail went while the address was real

    with django_capture_on_commit_callbacks(execute=True):
        assert privacy_services.carry_out_due_deletions() == 1

    world["patient"].refresh_from_db()
    assert world["patient"].email.endswith(".invalid")
    assert all(
        not address.endswith(".invalid")
        for recipients, _ in smtp.messages
        for address in recipients
    )
    (to_therapist,) = smtp.to(world["therapist"].user.email)
    assert to_therapist["Subject"].startswith("Cancelled: session with Rowena on ")
    assert notifications.send_cancellation_notice.call(appointment.pk) == 1
