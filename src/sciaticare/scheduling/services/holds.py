"""Holds: a slot held for a patient, then booked for them or released. A hold occupies the time
like a booking does. The waitlist (services/waitlist.py) holds a freed slot until an offer's
time runs out, and makes its own transaction and locks; a booking at a clinic that takes
deposits is held until its deposit is paid (booking.book_appointment), and billing books or
releases it here once the card has answered."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from django.db import transaction

from sciaticare.accounts.models import User
from sciaticare.core.commit_hooks import after_commit
from sciaticare.scheduling import history, payments
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services.booking import (
    create_at,
    lock_therapist,
    on_booked,
    record_change,
)

# Set by billing (its AppConfig.ready): called after commit with the id of each released hold,
# so that a deposit still waiting for it is closed.
on_released: list[Callable[[int], None]] = []
# Set by the waitlist (scheduling.apps): called after commit with the id of a hold released
# because its deposit was not paid, so that an accepted offer's slot goes to the next in line.
on_unpaid_released: list[Callable[[int], None]] = []


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


def hold_for_deposit(
    *,
    held: Appointment,
    patient: User,
    until: datetime,
    note: str,
    replacing: Collection[int] | None = None,
) -> None:
    """Keep a held slot for its patient until `until` while the clinic's deposit is paid (an
    accepted waitlist offer at a clinic that takes deposits). The caller holds the lock.
    `replacing`: as `booking.book_appointment`'s."""
    held.hold_expires_at = until
    held.save(update_fields=["hold_expires_at"])
    record_change(held, "held_for_deposit", patient, note)
    payments.desk().open_deposit(held, replacing)


def release_hold(*, held: Appointment, kind: str, by: User | None) -> None:
    """End a hold (declined, expired, or its patient left the waitlist): the slot is free once
    the transaction commits. The caller holds the appointment's lock."""
    held.status = AppointmentStatus.EXPIRED
    held.save(update_fields=["status"])
    record_change(held, kind, by)
    after_commit(on_released, held.pk)


def _lock_held(appointment_id: int) -> Appointment | None:
    # The appointment's row alone, as cancelling locks it (changes.py).
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("patient")
        .filter(pk=appointment_id)
        .first()
    )


def confirm_paid_hold(*, appointment_id: int) -> Appointment | None:
    """Book a slot held for its deposit, now paid: BOOKED, with the usual booking mail. The
    same booking again when it is booked already (a retry, the processor's webhook); None when
    the hold has ended (released: the time ran out or the payment failed first)."""
    with transaction.atomic():
        held = _lock_held(appointment_id)
        if held is None or held.status not in (AppointmentStatus.HELD, AppointmentStatus.BOOKED):
            return None
        if held.status == AppointmentStatus.HELD:
            confirm_hold(held=held, patient=held.patient, note=history.DEPOSIT_PAID)
    return held


def release_unpaid_hold(*, appointment_id: int, kind: str) -> bool:
    """Free a slot held for a deposit that was not paid (`kind`: "deposit_failed",
    "hold_expired", "hold_replaced" or "deposit_released", the patient let it go); False when
    it is no longer held."""
    with transaction.atomic():
        held = _lock_held(appointment_id)
        if held is None or held.status != AppointmentStatus.HELD:
            return False
        release_hold(held=held, kind=kind, by=None)
        after_commit(on_unpaid_released, held.pk)
    return True
