"""Cancelling, moving and marking a session lock the appointment's row alone (PostgreSQL; SQLite
has no row locks). A booking holds its therapist's row and, as it inserts, takes key-share
locks on the patient and the location it names; a write that also locked those joined rows
waited for the booking, and could deadlock with it (signing did: services/attendance.py).

Another connection takes the booking's locks in a transaction left open, and the write under
test may wait one second for a lock before failing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from sciaticare.accounts.models import User
from sciaticare.core.sql import table
from sciaticare.directory.models import Location, TherapistProfile
from sciaticare.directory.selectors.profile import bookable_therapist
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.services import attendance, changes
from tests.scheduling.helpers import bookable_patient, place_appointment, working_therapist

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the other connection sees committed rows only
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks"),
]

NOW = datetime(2031, 3, 3, 8, tzinfo=UTC)
SESSION = datetime(2031, 3, 5, 10, tzinfo=UTC)  # 10:00 in London, inside working hours


@contextmanager
def held_elsewhere(*locks: tuple[type, int, str]) -> Iterator[None]:
    """Another connection locks these rows (model, id, lock strength) in a transaction that
    stays open until the block ends."""
    other = connection.copy()
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            for model, pk, strength in locks:
                cursor.execute(f"SELECT 1 FROM {table(model)} WHERE id = %s FOR {strength}", [pk])  # noqa: S608 - constants only
        yield
    finally:
        other.rollback()
        other.close()


@contextmanager
def waiting_a_second_at_most() -> Iterator[None]:
    """A lock not granted within a second fails the statement instead of waiting."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '1s'")
        yield


@pytest.fixture
def booked():
    therapist, session, location = working_therapist()
    patient = bookable_patient()
    appointment = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=SESSION
    )
    return appointment


def test_a_cancel_does_not_wait_for_a_booking_with_the_same_therapist(booked):
    with (
        held_elsewhere(
            (TherapistProfile, booked.therapist_id, "UPDATE"),
            (Location, booked.location_id, "KEY SHARE"),
        ),
        waiting_a_second_at_most(),
    ):
        cancelled = changes.cancel_appointment(
            user=booked.patient, appointment_id=booked.pk, now=NOW
        )

    assert cancelled.status == AppointmentStatus.CANCELLED


def test_a_move_does_not_wait_for_a_booking_of_the_same_patient_at_the_same_place(booked):
    # The booking is with another therapist: the move still takes its own therapist's lock.
    with (
        held_elsewhere(
            (User, booked.patient_id, "KEY SHARE"),
            (Location, booked.location_id, "KEY SHARE"),
        ),
        waiting_a_second_at_most(),
    ):
        moved = changes.reschedule_appointment(
            user=booked.patient,
            appointment_id=booked.pk,
            new_start=SESSION.replace(hour=14),
            now=NOW,
        )

    assert moved.start == SESSION.replace(hour=14)


def test_marking_attendance_does_not_wait_for_a_booking_with_the_same_therapist_and_patient(
    booked,
):
    with (
        held_elsewhere(
            (TherapistProfile, booked.therapist_id, "UPDATE"),
            (User, booked.patient_id, "KEY SHARE"),
        ),
        waiting_a_second_at_most(),
    ):
        marked = attendance.mark_attendance(
            therapist_user=booked.therapist.user,
            appointment_id=booked.pk,
            attended=True,
            now=SESSION.replace(hour=11),
        )

    assert marked.status == AppointmentStatus.COMPLETED


def test_a_booking_locks_its_therapist_not_the_therapists_account(booked):
    """Booking locks the therapist's profile row only. Locking the joined user row too made a
    booking wait for any write that holds that account's row (a change recorded by the
    therapist, their own booking as a patient) and could deadlock two therapists booking
    each other."""
    therapist_user = booked.therapist.user
    with (
        held_elsewhere((User, therapist_user.pk, "KEY SHARE"), (User, therapist_user.pk, "SHARE")),
        waiting_a_second_at_most(),
    ):
        locked = bookable_therapist(therapist_id=booked.therapist_id, lock=True)
    assert locked.user == therapist_user
