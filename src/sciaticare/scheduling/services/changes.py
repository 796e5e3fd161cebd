"""Cancelling and moving a booked session, each one transaction: by the patient or the
therapist, one by one, or every upcoming session of a patient whose intake says to see a doctor
first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.errors import Conflict, NotFound
from sciaticare.directory.models import Location
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake.triage.levels import Level
from sciaticare.scheduling import history
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.calendars import local
from sciaticare.scheduling.services.booking import (
    BookingPreview,
    check_triage_block,
    checked_start,
    create_at,
    late_now,
    lock_therapist,
    preview_at,
    record_change,
    start_in_utc,
)

# Set by scheduling.notifications and scheduling.tasks (mail, waitlist offers); each is called
# after the transaction commits with the appointment id (of the new one, for a move).
on_cancelled: list[Callable[[int], None]] = []
on_rescheduled: list[Callable[[int], None]] = []


NOT_MOVABLE = gettext_noop("Only an upcoming booked session can be moved.")


def _spoken(moment: datetime, location: Location) -> str:
    """E.g. "Sat 5 Dec 2026, 15:00 GMT": a time as the location's clock shows it, in English
    (a note kept on the change; history.note_words says it in the reader's language)."""
    there = local(moment, location)
    return f"{there:%a} {there.day} {there:%b %Y, %H:%M %Z}"


def _party(user: User, appointment: Appointment) -> str:
    if appointment.patient_id == user.pk:
        return "patient"
    if appointment.therapist.user_id == user.pk:
        return "therapist"
    raise NotFound("appointment")


def preview_move(
    *, user: User, appointment_id: int, new_start: datetime, now: datetime | None = None
) -> BookingPreview:
    """Every check `reschedule_appointment` makes, without moving: what the confirm step shows."""
    new_start, now = start_in_utc(new_start), now or timezone.now()
    old = (
        Appointment.objects.select_related("therapist__user", "patient")
        .filter(pk=appointment_id)
        .first()
    )
    if old is None:
        raise NotFound("appointment")
    _party(user, old)
    if old.status != AppointmentStatus.BOOKED or old.start <= now:
        raise Conflict("not_movable", gettext(NOT_MOVABLE))
    check_triage_block(old.patient)
    session_type, location = checked_start(
        therapist=old.therapist,
        session_type_id=old.session_type_id,
        start=new_start,
        now=now,
        exclude_appointment=old.pk,
    )
    return preview_at(
        patient=old.patient,
        therapist=old.therapist,
        session_type=session_type,
        location=location,
        start=new_start,
        now=now,
        moving=old.pk,
    )


def cancel_appointment(
    *, user: User, appointment_id: int, reason: str = "", now: datetime | None = None
) -> Appointment:
    """Cancel by the patient or the therapist; within the clinic's window it is recorded as late."""
    now = now or timezone.now()
    with transaction.atomic():
        # The appointment's row alone: a booking holds the therapist's row and key-share locks
        # the location as it inserts, so locking those joined rows too waited for it, and
        # could deadlock with it.
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("therapist", "location__clinic")
            .filter(pk=appointment_id)
            .first()
        )
        if appointment is None:
            raise NotFound("appointment")
        _party(user, appointment)
        if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
            raise Conflict(
                "not_cancellable", gettext("Only an upcoming booked session can be cancelled.")
            )
        appointment.status = AppointmentStatus.CANCELLED
        appointment.late_cancellation = late_now(appointment, now)
        appointment.save(update_fields=["status", "late_cancellation"])
        record_change(
            appointment,
            "late_cancelled" if appointment.late_cancellation else "cancelled",
            user,
            reason[:300],
        )
        after_commit(on_cancelled, appointment.pk)
    return appointment


def cancel_upcoming_for_triage(*, patient: User, now: datetime | None = None) -> list[int]:
    """Cancel every upcoming booked session of a patient whose current intake says emergency
    or urgent ("Cancel my booked sessions"). Each is cancelled as a patient's cancellation is,
    and its therapist told by the usual notice; none counts as late, since a red flag is not a
    change of plan. Returns the ids cancelled."""
    now = now or timezone.now()
    intake = intake_selectors.current_intake(patient=patient)
    if intake is None or intake.level < Level.URGENT:
        raise Conflict(
            "triage_not_blocking",
            gettext("Your intake does not say to see a doctor first: cancel sessions one by one."),
        )
    cancelled: list[int] = []
    with transaction.atomic():
        for appointment in (
            Appointment.objects.select_for_update()
            .filter(patient=patient, status=AppointmentStatus.BOOKED, start__gt=now)
            .order_by("start")
        ):
            appointment.status = AppointmentStatus.CANCELLED
            appointment.late_cancellation = False
            appointment.save(update_fields=["status", "late_cancellation"])
            record_change(appointment, "cancelled", patient, history.TRIAGE_CANCEL_REASON)
            after_commit(on_cancelled, appointment.pk)
            cancelled.append(appointment.pk)
    return cancelled


def reschedule_appointment(
    *, user: User, appointment_id: int, new_start: datetime, now: datetime | None = None
) -> Appointment:
    """Move a session: the new time is booked and the old released in one transaction, or
    nothing changes. (The old row is released first inside the transaction, so a move by a
    few minutes does not collide with itself; a failure rolls both back.)"""
    new_start, now = start_in_utc(new_start), now or timezone.now()
    with transaction.atomic():
        # The appointment's row alone; the therapist is locked below, as booking locks it. The
        # joined patient and location are only read: a booking inserting for this patient or
        # at this place key-share locks them, and locking them too waited for it.
        old = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("therapist", "location__clinic", "patient")
            .filter(pk=appointment_id)
            .first()
        )
        if old is None:
            raise NotFound("appointment")
        _party(user, old)
        if old.status != AppointmentStatus.BOOKED or old.start <= now:
            raise Conflict("not_movable", gettext(NOT_MOVABLE))
        # Moving books a new time: the same triage gate as booking, whoever moves it.
        check_triage_block(old.patient)
        therapist = lock_therapist(old.therapist_id)
        old.status = AppointmentStatus.RESCHEDULED
        old.save(update_fields=["status"])
        new = create_at(
            patient=old.patient,
            therapist=therapist,
            session_type_id=old.session_type_id,
            start=new_start,
            now=now,
            exclude_appointment=old.pk,
            rescheduled_from=old,
        )
        # The history is read by people: the clinic's local time, in words.
        record_change(old, "rescheduled", user, f"to {_spoken(new.start, new.location)}")
        record_change(new, "booked", user, f"moved from {_spoken(old.start, old.location)}")
        after_commit(on_rescheduled, new.pk)
    return new
