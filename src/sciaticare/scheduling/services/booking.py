"""Booking, cancelling, rescheduling and marking appointments: each one transaction, and the
database refuses overlaps whatever happens here (models.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.bounds import check_session_time
from sciaticare.core.errors import Conflict, Invalid, NotFound, Refused
from sciaticare.directory.models import Location, SessionType, TherapistProfile
from sciaticare.directory.selectors.profile import bookable_therapist
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake.models import Intake
from sciaticare.intake.triage.levels import Level
from sciaticare.scheduling import selectors, slots
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    policy_durations,
)

REFUSAL_MESSAGES = {
    slots.Refusal.PAST: "That time has passed.",
    slots.Refusal.BEFORE_MIN_NOTICE: "That is too soon: the clinic needs more notice.",
    slots.Refusal.BEYOND_HORIZON: "That is too far ahead: the clinic does not take bookings that far out yet.",
    slots.Refusal.OUTSIDE_HOURS: "The therapist does not work at that time.",
    slots.Refusal.NOT_ON_GRID: "Sessions start on the clinic's time grid; choose one of the offered times.",
    slots.Refusal.TIME_OFF: "The therapist is away at that time.",
    slots.Refusal.OVERLAP: "That time was just taken. Please choose another.",
    slots.Refusal.IN_BUFFER: "That time was just taken. Please choose another.",
}
TAKEN = (slots.Refusal.OVERLAP, slots.Refusal.IN_BUFFER)
PATIENT_OVERLAP = (
    "You already have a session at that time (with this or another therapist). "
    "Choose another time, or move that session first."
)

# Set by scheduling.notifications so that booking does not import mail code; each is called
# after the transaction commits with the appointment id.
on_booked: list[Callable[[int], None]] = []
on_cancelled: list[Callable[[int], None]] = []
on_rescheduled: list[Callable[[int], None]] = []


def _after_commit(hooks: list[Callable[[int], None]], appointment_id: int) -> None:
    for hook in hooks:
        transaction.on_commit(partial(hook, appointment_id))


TRIAGE_BLOCKS = "triage_blocks_booking"


def triage_block_message(intake: Intake) -> str:
    """The refusal while an intake says emergency or urgent: that intake's own advice (the
    words of its result, e.g. "contact your cancer team today"), not a generic line."""
    return (
        f"{intake.triage_advice} Please do not book or move a massage until a doctor has seen you."
    )


def check_triage_block(patient: User, intake: Intake | None = None) -> None:
    """Refuse while the patient's current intake says emergency or urgent: no booking, and no
    moving a booked session either (docs/architecture.md, "Triage gate")."""
    intake = intake or intake_selectors.current_intake(patient=patient)
    if intake is not None and intake.level >= Level.URGENT:
        raise Refused(TRIAGE_BLOCKS, triage_block_message(intake))


def check_triage_gate(patient: User) -> Intake:
    """The same rules as the symptom check gate booking (docs/clinical.md, "Triage levels");
    the current intake."""
    intake = intake_selectors.current_intake(patient=patient)
    if intake is None:
        raise Refused(
            "intake_required",
            "Fill in your intake first: it checks whether massage is safe for you.",
        )
    check_triage_block(patient, intake)
    if intake.level == Level.SOON and intake.doctor_cleared_at is None:
        raise Refused(
            "clearance_required",
            "Your intake says to see a doctor within two weeks, before massage. "
            "Once a doctor has cleared massage, confirm it on your intake page to book.",
        )
    return intake


RECHECK_REQUIRED = "red_flag_recheck_required"


def check_booking_gate(patient: User, now: datetime | None = None) -> None:
    """Everything that must hold before a patient books: the triage gate, and red flags
    answered within the last day (intake/recheck.py: a fresh intake, or a re-check of it)."""
    intake = check_triage_gate(patient)
    if intake_selectors.red_flag_recheck_due(intake=intake, now=now or timezone.now()):
        raise Refused(
            RECHECK_REQUIRED,
            "Before you book, tell us whether any red-flag symptoms apply now: "
            "your intake is more than a day old.",
        )


def check_new_patient(*, patient: User, therapist: TherapistProfile) -> None:
    """A therapist not taking new patients still sees the ones they have seen or booked."""
    if selectors.closed_to(patient=patient, therapists=[therapist]):
        raise Refused(
            "not_accepting_new_patients",
            f"{therapist.user.display_name} is not taking new patients at the moment. "
            "Choose another therapist, or one from your flare-up plan.",
        )


def _spoken(moment: datetime, location: Location) -> str:
    """E.g. "Sat 5 Dec 2026, 15:00 GMT": a time as the location's clock shows it."""
    there = selectors.local(moment, location)
    return f"{there:%a} {there.day} {there:%b %Y, %H:%M %Z}"


def _record(appointment: Appointment, kind: str, by: User | None, note: str = "") -> None:
    AppointmentChange.objects.create(appointment=appointment, kind=kind, by=by, note=note)
    record_event(
        actor=by, action=f"appointment.{kind}", patient=appointment.patient, obj=appointment
    )


def _lock(therapist_id: int) -> TherapistProfile:
    # Serialises bookings per therapist on PostgreSQL (SQLite writers are serialised already),
    # so the check below sees every committed appointment; the constraint is the last word.
    return bookable_therapist(therapist_id=therapist_id, lock=True)


def _as_utc(start: datetime) -> datetime:
    if timezone.is_naive(start):
        raise Invalid(
            "naive_time", "Give the start time with its UTC offset, e.g. 2026-12-01T10:00:00+00:00."
        )
    return start.astimezone(UTC)


def _checked_start(
    *,
    therapist: TherapistProfile,
    session_type_id: int | None,
    start: datetime,
    now: datetime,
    exclude_appointment: int | None = None,
) -> tuple[SessionType, Location]:
    """The session type and the location where `start` is bookable with the therapist, or the
    refusal: taken, or off the calendar."""
    check_session_time(start)  # before a calendar is computed around it
    session_type = selectors.session_type_of(therapist=therapist, session_type_id=session_type_id)
    calendar = selectors.load_calendars(
        [therapist.pk],
        start=start - timedelta(days=1),
        end=start + timedelta(days=1),
        exclude_appointment=exclude_appointment,
    )[therapist.pk]
    location, refusal = selectors.check_start(calendar, session_type, start=start, now=now)
    if refusal in TAKEN:
        raise Conflict("slot_taken", REFUSAL_MESSAGES[refusal])
    if refusal is not None or location is None:
        code = refusal or slots.Refusal.OUTSIDE_HOURS
        raise Invalid(code.value, REFUSAL_MESSAGES[code], [("start", REFUSAL_MESSAGES[code])])
    return session_type, location


@dataclass(frozen=True)
class BookingPreview:
    """What the patient confirms before a booking is made."""

    therapist: TherapistProfile
    session_type: SessionType
    location: Location
    start: datetime
    end: datetime
    cancellation_window_hours: int
    #: Booked inside the cancellation window: cancelling it at all would count as late.
    already_late: bool = False


def _already_late(start: datetime, location: Location, now: datetime) -> bool:
    """Whether cancelling a session at `start` now counts as late (the clinic's window)."""
    window = policy_durations(selectors.policy_of(location))["cancellation_window"]
    return start - now < window


def preview_booking(
    *,
    patient: User,
    therapist_id: int,
    start: datetime,
    session_type_id: int | None = None,
    now: datetime | None = None,
) -> BookingPreview:
    """Every check `book_appointment` makes, without booking: what the confirm step shows.
    (Booking checks again inside its transaction: the time may be taken in between.)"""
    start, now = _as_utc(start), now or timezone.now()
    check_booking_gate(patient, now)
    therapist = bookable_therapist(therapist_id=therapist_id)
    if therapist.user_id == patient.pk:
        raise Invalid("own_calendar", "You cannot book a session with yourself.")
    check_new_patient(patient=patient, therapist=therapist)
    session_type, location = _checked_start(
        therapist=therapist,
        session_type_id=session_type_id,
        start=start,
        now=now,
    )
    return _preview(
        patient=patient,
        therapist=therapist,
        session_type=session_type,
        location=location,
        start=start,
        now=now,
    )


def _preview(
    *,
    patient: User,
    therapist: TherapistProfile,
    session_type: SessionType,
    location: Location,
    start: datetime,
    now: datetime,
    moving: int | None = None,
) -> BookingPreview:
    """The confirm step's facts once the start is bookable; refuses a time at which the
    patient is already booked (booking leaves that to the database, migration 0004, which
    names it in its refusal)."""
    end = start + timedelta(minutes=session_type.minutes)
    if selectors.patient_overlaps(
        patient=patient, start=start, end=end, exclude_appointment=moving
    ):
        raise Conflict("patient_overlap", PATIENT_OVERLAP)
    return BookingPreview(
        therapist=therapist,
        session_type=session_type,
        location=location,
        start=start,
        end=end,
        cancellation_window_hours=selectors.policy_of(location).cancellation_window_hours,
        already_late=_already_late(start, location, now),
    )


def preview_move(
    *, user: User, appointment_id: int, new_start: datetime, now: datetime | None = None
) -> BookingPreview:
    """Every check `reschedule_appointment` makes, without moving: what the confirm step shows."""
    new_start, now = _as_utc(new_start), now or timezone.now()
    old = (
        Appointment.objects.select_related("therapist__user", "patient")
        .filter(pk=appointment_id)
        .first()
    )
    if old is None:
        raise NotFound("appointment")
    _party(user, old)
    if old.status != AppointmentStatus.BOOKED or old.start <= now:
        raise Conflict("not_movable", "Only an upcoming booked session can be moved.")
    check_triage_block(old.patient)
    session_type, location = _checked_start(
        therapist=old.therapist,
        session_type_id=old.session_type_id,
        start=new_start,
        now=now,
        exclude_appointment=old.pk,
    )
    return _preview(
        patient=old.patient,
        therapist=old.therapist,
        session_type=session_type,
        location=location,
        start=new_start,
        now=now,
        moving=old.pk,
    )


def _create_at(
    *,
    patient: User,
    therapist: TherapistProfile,
    session_type_id: int | None,
    start: datetime,
    now: datetime,
    status: str = AppointmentStatus.BOOKED,
    exclude_appointment: int | None = None,
    rescheduled_from: Appointment | None = None,
    hold_expires_at: datetime | None = None,
) -> Appointment:
    """Check a start against the calendar and insert; the caller holds the therapist lock."""
    session_type, location = _checked_start(
        therapist=therapist,
        session_type_id=session_type_id,
        start=start,
        now=now,
        exclude_appointment=exclude_appointment,
    )
    end = start + timedelta(minutes=session_type.minutes)
    buffer = policy_durations(selectors.policy_of(location))["buffer"]
    try:
        with transaction.atomic():
            return Appointment.objects.create(
                patient=patient,
                therapist=therapist,
                location=location,
                session_type=session_type,
                start=start,
                end=end,
                busy_until=end + buffer,
                status=status,
                rescheduled_from=rescheduled_from,
                hold_expires_at=hold_expires_at,
            )
    except IntegrityError as exc:
        if any(name in str(exc) for name in ("patient_overlap", "patient_no_overlap")):
            raise Conflict("patient_overlap", PATIENT_OVERLAP) from None
        raise Conflict("slot_taken", REFUSAL_MESSAGES[slots.Refusal.OVERLAP]) from None


def book_appointment(
    *,
    patient: User,
    therapist_id: int,
    start: datetime,
    session_type_id: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book a start for a patient: theirs, or Conflict when it was just taken (`slot_taken`)
    or overlaps another of the patient's sessions (`patient_overlap`)."""
    start, now = _as_utc(start), now or timezone.now()
    check_booking_gate(patient, now)
    with transaction.atomic():
        therapist = _lock(therapist_id)
        if therapist.user_id == patient.pk:
            raise Invalid("own_calendar", "You cannot book a session with yourself.")
        check_new_patient(patient=patient, therapist=therapist)
        appointment = _create_at(
            patient=patient,
            therapist=therapist,
            session_type_id=session_type_id,
            start=start,
            now=now,
        )
        _record(appointment, "booked", patient)
        _after_commit(on_booked, appointment.pk)
    return appointment


def _party(user: User, appointment: Appointment) -> str:
    if appointment.patient_id == user.pk:
        return "patient"
    if appointment.therapist.user_id == user.pk:
        return "therapist"
    raise NotFound("appointment")


def cancel_appointment(
    *, user: User, appointment_id: int, reason: str = "", now: datetime | None = None
) -> Appointment:
    """Cancel by the patient or the therapist; within the clinic's window it is recorded as late."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("therapist", "location__clinic")
            .filter(pk=appointment_id)
            .first()
        )
        if appointment is None:
            raise NotFound("appointment")
        _party(user, appointment)
        if appointment.status != AppointmentStatus.BOOKED or appointment.start <= now:
            raise Conflict("not_cancellable", "Only an upcoming booked session can be cancelled.")
        appointment.status = AppointmentStatus.CANCELLED
        appointment.late_cancellation = _already_late(appointment.start, appointment.location, now)
        appointment.save(update_fields=["status", "late_cancellation"])
        _record(
            appointment,
            "late_cancelled" if appointment.late_cancellation else "cancelled",
            user,
            reason[:300],
        )
        _after_commit(on_cancelled, appointment.pk)
    return appointment


TRIAGE_CANCEL_REASON = "The client's intake says to see a doctor before massage."


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
            "Your intake does not say to see a doctor first: cancel sessions one by one.",
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
            _record(appointment, "cancelled", patient, TRIAGE_CANCEL_REASON)
            _after_commit(on_cancelled, appointment.pk)
            cancelled.append(appointment.pk)
    return cancelled


def reschedule_appointment(
    *, user: User, appointment_id: int, new_start: datetime, now: datetime | None = None
) -> Appointment:
    """Move a session: the new time is booked and the old released in one transaction, or
    nothing changes. (The old row is released first inside the transaction, so a move by a
    few minutes does not collide with itself; a failure rolls both back.)"""
    new_start, now = _as_utc(new_start), now or timezone.now()
    with transaction.atomic():
        old = (
            Appointment.objects.select_for_update()
            .select_related("therapist", "location__clinic", "patient")
            .filter(pk=appointment_id)
            .first()
        )
        if old is None:
            raise NotFound("appointment")
        _party(user, old)
        if old.status != AppointmentStatus.BOOKED or old.start <= now:
            raise Conflict("not_movable", "Only an upcoming booked session can be moved.")
        # Moving books a new time: the same triage gate as booking, whoever moves it.
        check_triage_block(old.patient)
        therapist = _lock(old.therapist_id)
        old.status = AppointmentStatus.RESCHEDULED
        old.save(update_fields=["status"])
        new = _create_at(
            patient=old.patient,
            therapist=therapist,
            session_type_id=old.session_type_id,
            start=new_start,
            now=now,
            exclude_appointment=old.pk,
            rescheduled_from=old,
        )
        # The history is read by people: the clinic's local time, in words.
        _record(old, "rescheduled", user, f"to {_spoken(new.start, new.location)}")
        _record(new, "booked", user, f"moved from {_spoken(old.start, old.location)}")
        _after_commit(on_rescheduled, new.pk)
    return new


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
        raise Conflict("not_started", "Only a booked session that has begun can be marked.")
    appointment.status = AppointmentStatus.COMPLETED if attended else AppointmentStatus.NO_SHOW
    appointment.save(update_fields=["status"])
    _record(appointment, "completed" if attended else "no_show", by, note)


def mark_attendance(
    *, therapist_user: User, appointment_id: int, attended: bool, now: datetime | None = None
) -> Appointment:
    """The therapist marks a started session completed, or a no-show."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _lock_own(therapist_user=therapist_user, appointment_id=appointment_id)
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


# --- Holds for the waitlist (services/waitlist.py) ----------------------------------------------


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
    therapist = _lock(therapist_id)
    held = _create_at(
        patient=patient,
        therapist=therapist,
        session_type_id=session_type_id,
        start=start,
        now=now,
        status=AppointmentStatus.HELD,
        hold_expires_at=expires_at,
    )
    _record(held, "held", None, note)
    return held


def confirm_hold(*, held: Appointment, patient: User, note: str) -> None:
    """Book a held slot for its patient. The caller holds the appointment's lock and has
    checked the hold is still open."""
    held.status = AppointmentStatus.BOOKED
    held.hold_expires_at = None
    held.save(update_fields=["status", "hold_expires_at"])
    _record(held, "booked", patient, note)
    _after_commit(on_booked, held.pk)


def release_hold(*, held: Appointment, kind: str, by: User | None) -> None:
    """End a hold (declined, expired, or its patient left the waitlist): the slot is free once
    the transaction commits. The caller holds the appointment's lock."""
    held.status = AppointmentStatus.EXPIRED
    held.save(update_fields=["status"])
    _record(held, kind, by)
