"""Booking on the database: the triage gate, server-side re-checks, 201/409/422, overlaps
refused by the database itself, cancellation window, reschedule atomicity, no-shows."""

import json
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pydantic import TypeAdapter

from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.intake import services as intake_services
from sciaticare.scheduling.api import SlotOut
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentChange,
    BookingPolicy,
    WorkingHours,
)
from sciaticare.scheduling.selectors.bookable import earliest_slots, free_slots
from sciaticare.scheduling.selectors.calendars import load_calendars
from sciaticare.scheduling.services import attendance, booking, changes
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _working_therapist(**hours):
    location = LocationFactory(time_zone="Europe/London")
    therapist = TherapistProfileFactory(location=location)
    session = therapist.session_types.get(is_standard=True)  # 60 minutes
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=therapist,
            location=location,
            weekday=weekday,
            start=hours.get("start", time(9)),
            end=hours.get("end", time(17)),
        )
    return therapist, session, location


def _patient(**intake):
    patient = PatientFactory()
    make_intake(patient, **intake)
    return patient


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def world():
    therapist, session, location = _working_therapist()
    return {"therapist": therapist, "session": session, "location": location, "patient": _patient()}


def test_a_free_slot_is_booked_with_its_buffer_and_history(world):
    appointment = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )

    assert appointment.end - appointment.start == timedelta(minutes=60)
    assert appointment.busy_until - appointment.end == timedelta(minutes=15)
    assert appointment.location == world["location"]
    assert list(
        AppointmentChange.objects.filter(appointment=appointment).values_list("kind", flat=True)
    ) == ["booked"]


def test_the_same_slot_twice_is_a_conflict(world):
    booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )

    with pytest.raises(Conflict) as taken:
        booking.book_appointment(
            patient=_patient(), therapist_id=world["therapist"].pk, start=_at(3, 10)
        )
    assert taken.value.code == "slot_taken"


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (lambda: _at(3, 10, 30) + timedelta(minutes=5), "not_on_grid"),
        (lambda: _at(3, 7), "outside_hours"),
        (lambda: _at(3, 16, 30), "outside_hours"),
        (lambda: timezone.now() - timedelta(hours=1), "past"),
        (lambda: timezone.now() + timedelta(minutes=30), "before_min_notice"),
        (lambda: _at(90, 10), "beyond_horizon"),
    ],
    ids=["off-grid", "before-hours", "runs-past-closing", "past", "min-notice", "horizon"],
)
def test_a_start_that_is_not_a_slot_is_refused_with_its_reason(world, start, code):
    with pytest.raises(Invalid) as refused:
        booking.book_appointment(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=start()
        )

    assert refused.value.code in {code, "past", "before_min_notice", "outside_hours"}
    if code not in {"past", "before_min_notice"}:
        assert refused.value.code == code


def test_a_start_inside_the_buffer_of_another_session_is_taken(world):
    booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )

    with pytest.raises(Conflict):
        booking.book_appointment(
            patient=_patient(), therapist_id=world["therapist"].pk, start=_at(3, 11)
        )
    assert booking.book_appointment(
        patient=_patient(), therapist_id=world["therapist"].pk, start=_at(3, 11, 15)
    )


@pytest.mark.parametrize(
    ("yes", "code"),
    [
        ({"fever": True}, "triage_blocks_booking"),
        ({"saddle_numbness": True}, "triage_blocks_booking"),
        ({"night_pain": True}, "clearance_required"),
    ],
)
def test_the_triage_gate_blocks_booking(world, yes, code):
    patient = _patient(yes=yes)

    with pytest.raises(Refused) as refused:
        booking.book_appointment(
            patient=patient, therapist_id=world["therapist"].pk, start=_at(3, 10)
        )
    assert refused.value.code == code


def test_a_patient_without_an_intake_is_asked_to_fill_it_first(world):
    with pytest.raises(Refused, match="intake"):
        booking.book_appointment(
            patient=PatientFactory(), therapist_id=world["therapist"].pk, start=_at(3, 10)
        )


def test_soon_with_clearance_can_book(world):
    patient = PatientFactory()
    intake = make_intake(patient, yes={"weight_loss": True})
    intake_services.confirm_doctor_clearance(patient=patient, intake_id=intake.pk)

    assert booking.book_appointment(
        patient=patient, therapist_id=world["therapist"].pk, start=_at(3, 10)
    )


def test_the_database_refuses_an_overlapping_active_row_even_past_the_service(world):
    first = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            patient=_patient(),
            therapist=world["therapist"],
            location=world["location"],
            session_type=world["session"],
            start=first.start + timedelta(minutes=30),
            end=first.start + timedelta(minutes=90),
            busy_until=first.start + timedelta(minutes=105),
        )


def test_a_cancelled_row_may_overlap(world):
    first = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )
    changes.cancel_appointment(user=world["patient"], appointment_id=first.pk)

    assert booking.book_appointment(
        patient=_patient(), therapist_id=world["therapist"].pk, start=_at(3, 10)
    )


@pytest.mark.parametrize(("hours_before", "late"), [(25, False), (23, True)])
def test_cancellation_window(world, hours_before, late):
    appointment = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )
    now = appointment.start - timedelta(hours=hours_before)

    cancelled = changes.cancel_appointment(
        user=world["patient"], appointment_id=appointment.pk, now=now
    )

    assert cancelled.late_cancellation is late
    kind = AppointmentChange.objects.filter(appointment=appointment).last().kind
    assert kind == ("late_cancelled" if late else "cancelled")


def test_the_therapist_may_cancel_and_nobody_else(world):
    appointment = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )
    with pytest.raises(NotFound):
        changes.cancel_appointment(user=PatientFactory(), appointment_id=appointment.pk)
    with pytest.raises(NotFound):
        changes.cancel_appointment(user=TherapistFactory(), appointment_id=appointment.pk)

    assert (
        changes.cancel_appointment(
            user=world["therapist"].user, appointment_id=appointment.pk
        ).status
        == "cancelled"
    )


def test_reschedule_moves_atomically_even_by_a_few_minutes(world):
    old = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )

    new = changes.reschedule_appointment(
        user=world["patient"], appointment_id=old.pk, new_start=_at(3, 10, 30)
    )

    old.refresh_from_db()
    assert old.status == "rescheduled"
    assert new.status == "booked"
    assert new.rescheduled_from == old


def test_a_failed_reschedule_changes_nothing(world):
    old = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )
    booking.book_appointment(
        patient=_patient(), therapist_id=world["therapist"].pk, start=_at(4, 10)
    )

    with pytest.raises(Conflict):
        changes.reschedule_appointment(
            user=world["patient"], appointment_id=old.pk, new_start=_at(4, 10)
        )

    old.refresh_from_db()
    assert old.status == "booked"
    assert Appointment.objects.filter(therapist=world["therapist"], status="booked").count() == 2


def test_no_show_is_marked_by_the_therapist_after_the_start(world):
    appointment = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )
    with pytest.raises(Conflict):
        attendance.mark_attendance(
            therapist_user=world["therapist"].user, appointment_id=appointment.pk, attended=False
        )

    marked = attendance.mark_attendance(
        therapist_user=world["therapist"].user,
        appointment_id=appointment.pk,
        attended=False,
        now=appointment.start + timedelta(minutes=15),
    )
    assert marked.status == "no_show"


@pytest.mark.parametrize("attended", [True, False], ids=["completed", "no_show"])
def test_marking_twice_the_same_way_changes_nothing_and_calls_its_hook_once(
    world, attended, django_capture_on_commit_callbacks, monkeypatch
):
    """A double click or a retry answers the same: one change row, and one call of the hook
    billing charges the no-show's fee (or invoices the session) from."""
    called: list[int] = []
    monkeypatch.setattr(attendance, "on_completed" if attended else "on_no_show", [called.append])
    appointment = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )
    later = appointment.start + timedelta(minutes=15)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            marked = attendance.mark_attendance(
                therapist_user=world["therapist"].user,
                appointment_id=appointment.pk,
                attended=attended,
                now=later,
            )

    assert marked.status == ("completed" if attended else "no_show")
    kind = "completed" if attended else "no_show"
    assert appointment.changes.filter(kind=kind).count() == 1
    assert called == [appointment.pk]
    with pytest.raises(Conflict):  # the other answer is refused, as before
        attendance.mark_attendance(
            therapist_user=world["therapist"].user,
            appointment_id=appointment.pk,
            attended=not attended,
            now=later,
        )


def test_every_offered_slot_is_accepted_by_the_booking_service(world):
    now = timezone.now()
    calendar = load_calendars([world["therapist"].pk], start=now, end=now + timedelta(days=4))[
        world["therapist"].pk
    ]
    offered = free_slots(
        calendar, world["session"], start=now, end=now + timedelta(days=4), now=now
    )

    booked = []
    for slot in offered[::5]:
        booked.append(
            booking.book_appointment(
                patient=_patient(), therapist_id=world["therapist"].pk, start=slot.start
            )
        )

    assert len(booked) == len(offered[::5]) > 5


def test_slot_queries_do_not_grow_with_the_number_of_days(world, django_assert_num_queries):
    now = timezone.now()
    for days in (7, 28):
        # The calendar rows, the locations, the busy times from the therapist's own calendar.
        with django_assert_num_queries(3):
            calendar = load_calendars(
                [world["therapist"].pk], start=now, end=now + timedelta(days=days)
            )
            free_slots(
                calendar[world["therapist"].pk],
                world["session"],
                start=now,
                end=now + timedelta(days=days),
                now=now,
            )


# --- API ---------------------------------------------------------------------------------


def _book_api(client, body):
    return client.post("/api/v1/appointments", json.dumps(body), content_type="application/json")


def test_api_book_201_then_409(client, world):
    client.force_login(world["patient"])
    body = {
        "therapist": world["therapist"].pk,
        "service": world["session"].pk,
        "start": _at(3, 10).isoformat(),
    }

    first = _book_api(client, body)
    client.force_login(_patient())
    second = _book_api(client, body)

    assert first.status_code == 201
    assert first.json()["start"].endswith(("+00:00", "+01:00"))
    assert second.status_code == 409
    assert second.json()["code"] == "slot_taken"


def test_api_book_answers_what_the_list_shows_without_reading_it_again(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["patient"])
    body = {"therapist": world["therapist"].pk, "start": _at(3, 10).isoformat()}

    # Session, user, intake, the therapist's lock, session type, calendar, locations, busy
    # times from their own calendar, the clinic's payment policy (billing: none here, so no
    # deposit), the insert, its change and audit rows, 4 savepoint statements: 16; the answer
    # adds none.
    with django_assert_max_num_queries(16):
        booked = _book_api(client, body)

    assert booked.status_code == 201
    (listed,) = client.get("/api/v1/appointments").json()
    assert booked.json() == listed


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"start": "2026-13-01T10:00:00+00:00"}, 422),
        ({"start": "2030-01-01T10:00:00"}, 422),
        ({"start": "later"}, 422),
        ({"therapist": 999999}, 404),
        ({"service": 999999}, 404),
        ({"surprise": 1}, 422),
    ],
    ids=["bad-date", "naive", "words", "unknown-therapist", "unknown-service", "extra-field"],
)
def test_api_book_bad_input(client, world, change, status):
    client.force_login(world["patient"])
    body = {
        "therapist": world["therapist"].pk,
        "service": world["session"].pk,
        "start": _at(3, 10).isoformat(),
        **change,
    }

    response = _book_api(client, body)

    assert response.status_code == status
    assert "Traceback" not in response.content.decode()


def test_api_book_needs_sign_in(client, world):
    body = {"therapist": world["therapist"].pk, "start": _at(3, 10).isoformat()}

    assert _book_api(client, body).status_code == 401


def test_api_slots_are_public_and_in_local_time_with_offset(client, world):
    response = client.get(f"/api/v1/therapists/{world['therapist'].pk}/slots")

    slots = response.json()
    assert response.status_code == 200
    assert slots
    assert all(s["start"][-6:] in ("+00:00", "+01:00") for s in slots)
    assert {s["service"] for s in slots} == {world["session"].pk}


def test_api_slots_window_is_validated(client, world):
    url = f"/api/v1/therapists/{world['therapist'].pk}/slots"

    assert (
        client.get(
            url, {"start": "2026-12-10T00:00:00+00:00", "end": "2026-12-01T00:00:00+00:00"}
        ).status_code
        == 422
    )
    assert (
        client.get(
            url, {"start": "2026-12-01T00:00:00+00:00", "end": "2027-03-01T00:00:00+00:00"}
        ).status_code
        == 422
    )
    assert client.get("/api/v1/therapists/999999/slots").status_code == 404


@pytest.mark.parametrize(
    ("window", "detail", "field_message"),
    [
        (("2026-12-10", "2026-12-01"), "el final debe ser posterior al inicio.", "debe ser posterior al inicio"),
        (("2026-12-01", "2027-03-01"), "Pida como máximo 62 días cada vez.", "como máximo 62 días después del inicio"),
    ],
)  # fmt: skip
def test_api_slots_window_refusals_are_in_the_callers_language(
    client, world, window, detail, field_message
):
    start, end = (f"{day}T00:00:00+00:00" for day in window)
    response = client.get(
        f"/api/v1/therapists/{world['therapist'].pk}/slots",
        {"start": start, "end": end},
        headers={"Accept-Language": "es"},
    )

    assert response.status_code == 422
    assert response.json()["detail"] == detail
    assert response.json()["errors"] == [{"field": "end", "message": field_message}]


def test_api_lists_only_the_callers_appointments_and_cancels(client, world):
    mine = booking.book_appointment(
        patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
    )
    other = booking.book_appointment(
        patient=_patient(), therapist_id=world["therapist"].pk, start=_at(3, 14)
    )
    client.force_login(world["patient"])

    listed = client.get("/api/v1/appointments").json()
    assert [a["id"] for a in listed] == [mine.pk]
    assert client.post(f"/api/v1/appointments/{other.pk}/cancel").status_code == 404
    assert client.post(f"/api/v1/appointments/{mine.pk}/cancel").json()["status"] == "cancelled"
    client.force_login(world["therapist"].user)
    assert {a["id"] for a in client.get("/api/v1/appointments").json()} == {mine.pk, other.pk}
    assert [a["id"] for a in client.get("/api/v1/appointments", {"status": "booked"}).json()] == [
        other.pk
    ]


def test_vendor_specific_guard_is_installed():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conname = 'scheduling_appointment_no_overlap'"
            )
        else:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'scheduling_appointment_no_overlap_insert'"
            )
        assert cursor.fetchone() is not None


def test_earliest_slots_take_four_queries_whatever_the_therapists_and_days(
    world, django_assert_num_queries
):
    others = [_working_therapist()[0] for _ in range(3)]
    ids = [world["therapist"].pk, *(t.pk for t in others)]
    for therapist_ids, days in ((ids[:1], 7), (ids, 7), (ids, 28)):
        with django_assert_num_queries(4):
            found = earliest_slots(therapist_ids, within=timedelta(days=days))
        assert all(slot is not None for slot in found.values())


def test_a_long_session_that_began_before_the_window_still_blocks_it(world):
    window = _at(3, 0).astimezone(UTC)
    long = Appointment.objects.create(
        patient=world["patient"],
        therapist=world["therapist"],
        location=world["location"],
        session_type=world["session"],
        start=window - timedelta(hours=5),
        end=window + timedelta(minutes=15),
        busy_until=window + timedelta(minutes=30),
    )

    calendar = load_calendars(
        [world["therapist"].pk], start=window, end=window + timedelta(days=1)
    )[world["therapist"].pk]

    assert [(b.start, b.end) for b in calendar.busy] == [(long.start, long.busy_until)]
    assert all(b.start.tzinfo is UTC and b.end.tzinfo is UTC for b in calendar.busy)


def _row(world, start, busy_until):
    return Appointment(
        patient=_patient(),
        therapist=world["therapist"],
        location=world["location"],
        session_type=world["session"],
        start=start,
        end=start + timedelta(minutes=60),
        busy_until=busy_until,
    )


def test_the_database_caps_a_session_and_its_buffer_at_six_hours(world):
    start = _at(5, 9)
    _row(world, start, start + timedelta(hours=6)).save()  # exactly the cap
    too_long = _row(world, start + timedelta(days=1), start + timedelta(days=1, hours=6, seconds=1))

    with pytest.raises(ValidationError, match="at most 6 hours"):
        too_long.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        too_long.save()


def test_the_database_refuses_an_overlap_with_a_row_that_began_almost_six_hours_before(world):
    # SQLite's trigger only looks back LONGEST_BUSY (6 hours): the longest row still counts.
    start = _at(5, 9)
    _row(world, start, start + timedelta(hours=5, minutes=59)).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        _row(world, start + timedelta(hours=5, minutes=45), start + timedelta(hours=7)).save()
    _row(world, start + timedelta(hours=6), start + timedelta(hours=7)).save()


def test_a_clinic_buffer_is_at_most_two_hours(world):
    policy = BookingPolicy.objects.create(clinic=world["location"].clinic, buffer_minutes=120)
    policy.buffer_minutes = 121

    with pytest.raises(ValidationError, match="at most 120 minutes"):
        policy.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.save()


def test_api_slots_body_is_what_the_slot_schema_serialises(client, world):
    response = client.get(f"/api/v1/therapists/{world['therapist'].pk}/slots")

    slots = response.json()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert slots
    expected = TypeAdapter(list[SlotOut]).dump_python(
        TypeAdapter(list[SlotOut]).validate_python(slots), mode="json"
    )
    assert slots == expected
    assert response.content == json.dumps(expected).encode()


def test_a_hook_failing_after_the_commit_neither_undoes_nor_hides_the_booking(
    world, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    """A booking is committed before its hooks run: a hook that meets a busy database (its
    mail's task row) is logged, the hooks after it still run, and the caller gets the booking
    rather than an error that would say "try again"."""
    from django.db import OperationalError

    ran = []

    def busy(appointment_id: int) -> None:
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(booking, "on_booked", [busy, ran.append])
    with django_capture_on_commit_callbacks(execute=True):
        appointment = booking.book_appointment(
            patient=world["patient"], therapist_id=world["therapist"].pk, start=_at(3, 10)
        )

    assert ran == [appointment.pk]
    assert "lock timeout" in caplog.text
