"""A started session marked by its therapist: attended (completed) or a no-show. Completion is
also what signing a session note does (records), through `complete_appointment`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.errors import Conflict, NotFound
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services.booking import record_change

# Set by billing (its AppConfig.ready) so that scheduling imports no money code: called after
# the transaction commits with the appointment's id, once per mark (the no-show's fee, the
# completed session's invoice).
on_no_show: list[Callable[[int], None]] = []
on_completed: list[Callable[[int], None]] = []

#: How long after its start a session may be marked missed: a client a few minutes late is on
#: the way, not a no-show (docs/billing.md, "Cancelling and no-shows"). Completed may be marked
#: from the start.
NO_SHOW_GRACE = timedelta(minutes=15)
TOO_EARLY_FOR_NO_SHOW = "too_early_for_no_show"


def no_show_from(appointment: Appointment) -> datetime:
    """When the session may first be marked missed."""
    return appointment.start + NO_SHOW_GRACE


def _lock_own(*, therapist_user: User, appointment_id: int) -> Appointment:
    """The therapist's own appointment, locked; NotFound when missing or someone else's."""
    # Only the appointment's row: locking the joined therapist and patient rows too made a
    # signing deadlock with a booking that holds the therapist and inserts for the patient.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("therapist", "patient")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or appointment.therapist.user_id != therapist_user.pk:
        raise NotFound("appointment")
    return appointment


def _mark(appointment: Appointment, *, attended: bool, by: User, now: datetime, note: str) -> None:
    if appointment.status != AppointmentStatus.BOOKED or appointment.start > now:
        raise Conflict(
            "not_started", gettext("Only a booked session that has begun can be marked.")
        )
    if not attended and now < no_show_from(appointment):
        minutes = int(NO_SHOW_GRACE.total_seconds() // 60)
        raise Conflict(
            TOO_EARLY_FOR_NO_SHOW,
            gettext(
                "A session can be marked missed %(minutes)s minutes after its start: "
                "the client may be running late."
            )
            % {"minutes": minutes},
        )
    appointment.status = AppointmentStatus.COMPLETED if attended else AppointmentStatus.NO_SHOW
    appointment.save(update_fields=["status"])
    record_change(appointment, "completed" if attended else "no_show", by, note)
    after_commit(on_completed if attended else on_no_show, appointment.pk)


def mark_attendance(
    *, therapist_user: User, appointment_id: int, attended: bool, now: datetime | None = None
) -> Appointment:
    """The therapist marks a started session completed, or a no-show. Marking it the same way
    again (a double click, a retry) changes nothing and answers the same."""
    now = now or timezone.now()
    target = AppointmentStatus.COMPLETED if attended else AppointmentStatus.NO_SHOW
    with transaction.atomic():
        appointment = _lock_own(therapist_user=therapist_user, appointment_id=appointment_id)
        if appointment.status != target:
            _mark(appointment, attended=attended, by=therapist_user, now=now, note="")
    return appointment


def complete_appointment(
    *, appointment_id: int, by: User, note: str = "", now: datetime | None = None
) -> Appointment:
    """Mark the therapist's started session completed, with its change row and audit event,
    as `mark_attendance` does; one already completed stays as it is. The one writer of a
    completion for other apps (signing a session note completes a booked session)."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _lock_own(therapist_user=by, appointment_id=appointment_id)
        if appointment.status != AppointmentStatus.COMPLETED:
            _mark(appointment, attended=True, by=by, now=now, note=note)
    return appointment
