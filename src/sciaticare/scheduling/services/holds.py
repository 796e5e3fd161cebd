"""Holds for the waitlist (services/waitlist.py): a slot held for a patient until an offer's
time runs out, then booked for them or released. The waitlist makes its own transaction and
locks; a hold occupies the time like a booking does."""

from __future__ import annotations

from datetime import datetime

from sciaticare.accounts.models import User
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services.booking import (
    after_commit,
    create_at,
    lock_therapist,
    on_booked,
    record_change,
)


def hold_slot(
    *,
    patient: User,
    therapist_id: int,
    session_type_id: int | None,
    start: datetime,
    expires_at: datetime,
    now: datetime,
    note: str,
) -> Appointment:
    """Hold a start for a patient until `expires_at` (a HELD appointment, which occupies the
    time like a booking), or the refusal `book_appointment` would give. The caller is inside a
    transaction; the therapist stays locked until it ends."""
    therapist = lock_therapist(therapist_id)
    held = create_at(
        patient=patient,
        therapist=therapist,
        session_type_id=session_type_id,
        start=start,
        now=now,
        status=AppointmentStatus.HELD,
        hold_expires_at=expires_at,
    )
    record_change(held, "held", None, note)
    return held


def confirm_hold(*, held: Appointment, patient: User, note: str) -> None:
    """Book a held slot for its patient. The caller holds the appointment's lock and has
    checked the hold is still open."""
    held.status = AppointmentStatus.BOOKED
    held.hold_expires_at = None
    held.save(update_fields=["status", "hold_expires_at"])
    record_change(held, "booked", patient, note)
    after_commit(on_booked, held.pk)


def release_hold(*, held: Appointment, kind: str, by: User | None) -> None:
    """End a hold (declined, expired, or its patient left the waitlist): the slot is free once
    the transaction commits. The caller holds the appointment's lock."""
    held.status = AppointmentStatus.EXPIRED
    held.save(update_fields=["status"])
    record_change(held, kind, by)
