"""Booking a session: who may book (the `check_…` gates every booking path calls), the confirm
step's preview, and the booking itself in one transaction; the database refuses overlaps
whatever happens here (models.py). The pieces every write of an appointment shares (the
therapist's lock, the checked start, the change row and its audit event, the after-commit
hooks) are here too, for changes.py, attendance.py and holds.py."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.bounds import check_session_time
from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.errors import Conflict, Invalid, Refused
from sciaticare.directory.models import Location, SessionType, TherapistProfile
from sciaticare.directory.selectors.profile import bookable_session, bookable_therapist
from sciaticare.intake import selectors as intake_selectors
from sciaticare.intake import services as intake_services
from sciaticare.intake.models import Intake
from sciaticare.intake.recheck import Needed
from sciaticare.intake.triage.levels import Level
from sciaticare.scheduling import history, payments
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    policy_durations,
)
from sciaticare.scheduling.selectors import bookable
from sciaticare.scheduling.selectors.appointments import patient_overlaps
from sciaticare.scheduling.selectors.calendars import load_calendars, policy_of
from sciaticare.scheduling.selectors.care import closed_to
from sciaticare.scheduling.slots.rules import Refusal

#: Marked for translation; raised in the language being answered in (``refusal_words``).
REFUSAL_MESSAGES = {
    Refusal.PAST: gettext_noop("That time has passed."),
    Refusal.BEFORE_MIN_NOTICE: gettext_noop("That is too soon: the clinic needs more notice."),
    Refusal.BEYOND_HORIZON: gettext_noop(
        "That is too far ahead: the clinic does not take bookings that far out yet."
    ),
    Refusal.OUTSIDE_HOURS: gettext_noop("The therapist does not work at that time."),
    Refusal.NOT_ON_GRID: gettext_noop(
        "Sessions start on the clinic's time grid; choose one of the offered times."
    ),
    Refusal.TIME_OFF: gettext_noop("The therapist is away at that time."),
    Refusal.OVERLAP: gettext_noop("That time was just taken. Please choose another."),
    Refusal.IN_BUFFER: gettext_noop("That time was just taken. Please choose another."),
}
TAKEN = (Refusal.OVERLAP, Refusal.IN_BUFFER)
#: The therapist's own calendar could not be read lately (external_busy.py): any time might
#: clash with it, so none is booked until a read succeeds.
BUSY_UNKNOWN = gettext_noop(
    "This therapist's own calendar could not be checked just now, so no time can be booked "
    "with them. Please try again in a few minutes."
)
PATIENT_OVERLAP = gettext_noop(
    "You already have a session at that time (with this or another therapist). "
    "Choose another time, or move that session first."
)


def refusal_words(reason: Refusal) -> str:
    """Why a start is refused, in the language being answered in."""
    return gettext(REFUSAL_MESSAGES[reason])


# Set by scheduling.notifications so that booking does not import mail code; called after
# the transaction commits with the new appointment's id (changes.py has the others).
on_booked: list[Callable[[int], None]] = []


TRIAGE_BLOCKS = "triage_blocks_booking"


def triage_block_message(intake: Intake) -> str:
    """The refusal while an intake says emergency or urgent: that intake's own advice (the
    words of its result, e.g. "contact your cancer team today"), not a generic line, in the
    language being answered in."""
    return gettext(
        "%(advice)s Please do not book or move a massage until a doctor has seen you."
    ) % {"advice": intake.advice}


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
            gettext("Fill in your intake first: it checks whether massage is safe for you."),
        )
    check_triage_block(patient, intake)
    if intake.level == Level.SOON and intake.doctor_cleared_at is None:
        raise Refused(
            "clearance_required",
            gettext(
                "Your intake says to see a doctor within two weeks, before massage. "
                "Once a doctor has cleared massage, confirm it on your intake page to book."
            ),
        )
    return intake


RECHECK_REQUIRED = "red_flag_recheck_required"
INTAKE_OUT_OF_DATE = intake_services.INTAKE_OUT_OF_DATE


def check_booking_gate(patient: User, now: datetime | None = None) -> None:
    """Everything that must hold before a patient books: the triage gate, and red flags
    answered within the last day: a fresh intake, or a re-check of an intake under four
    weeks old; an older intake is filled in again (intake/recheck.py)."""
    intake = check_triage_gate(patient)
    needed = intake_selectors.needed_before_booking(intake=intake, now=now or timezone.now())
    if needed is Needed.INTAKE:
        raise intake_services.out_of_date()
    if needed is Needed.RECHECK:
        raise Refused(
            RECHECK_REQUIRED,
            gettext(
                "Before you book, tell us whether any red-flag symptoms apply now: "
                "your intake is more than a day old."
            ),
        )


def check_new_patient(*, patient: User | AnonymousUser, therapist: TherapistProfile) -> None:
    """A therapist not taking new patients still sees the ones they have seen or booked (a
    person with no account yet is new to everyone)."""
    if closed_to(patient=patient, therapists=[therapist]):
        raise Refused(
            "not_accepting_new_patients",
            gettext(
                "%(name)s is not taking new patients at the moment. "
                "Choose another therapist, or one from your flare-up plan."
            )
            % {"name": therapist.user.display_name},
        )


def record_change(appointment: Appointment, kind: str, by: User | None, note: str = "") -> None:
    """The appointment's change row and its audit event (`appointment.<kind>`)."""
    AppointmentChange.objects.create(appointment=appointment, kind=kind, by=by, note=note)
    record_event(
        actor=by, action=f"appointment.{kind}", patient=appointment.patient, obj=appointment
    )


def lock_therapist(therapist_id: int) -> TherapistProfile:
    # Serialises bookings per therapist on PostgreSQL (SQLite writers are serialised already),
    # so the check below sees every committed appointment; the constraint is the last word.
    return bookable_therapist(therapist_id=therapist_id, lock=True)


def start_in_utc(start: datetime) -> datetime:
    """A requested start in UTC; one given without its UTC offset is refused."""
    if timezone.is_naive(start):
        raise Invalid(
            "naive_time",
            gettext("Give the start time with its UTC offset, e.g. 2026-12-01T10:00:00+00:00."),
        )
    return start.astimezone(UTC)


def checked_start(
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
    session_type = bookable_session(therapist_id=therapist.pk, session_type_id=session_type_id)
    calendar = load_calendars(
        [therapist.pk],
        start=start - timedelta(days=1),
        end=start + timedelta(days=1),
        exclude_appointment=exclude_appointment,
        now=now,
    )[therapist.pk]
    if calendar.busy_unknown:
        raise Conflict("busy_times_unknown", gettext(BUSY_UNKNOWN))
    location, refusal = bookable.check_start(calendar, session_type, start=start, now=now)
    if refusal in TAKEN:
        raise Conflict("slot_taken", refusal_words(refusal))
    if refusal is not None or location is None:
        code = refusal or Refusal.OUTSIDE_HOURS
        raise Invalid(code.value, refusal_words(code), [("start", refusal_words(code))])
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
    #: The clinic's payment policy in words, and the deposit confirming takes (payments.py).
    terms: payments.BookingTerms | None = None


def already_late(start: datetime, location: Location, now: datetime) -> bool:
    """Whether cancelling a session at `start` now counts as late (the clinic's window)."""
    window = policy_durations(policy_of(location))["cancellation_window"]
    return start - now < window


def cancellation_window_hours(appointment: Appointment) -> int:
    """The window a booked session's cancellation is judged by: the clinic's today, or the one
    the patient was told at booking if that was shorter (terms never harden after booking)."""
    today = policy_of(appointment.location).cancellation_window_hours
    booked = appointment.cancellation_window_hours
    return today if booked is None else min(today, booked)


def late_now(appointment: Appointment, now: datetime) -> bool:
    """Whether cancelling `appointment` now counts as late."""
    return appointment.start - now < timedelta(hours=cancellation_window_hours(appointment))


def preview_booking(
    *,
    patient: User | None,
    therapist_id: int,
    start: datetime,
    session_type_id: int | None = None,
    now: datetime | None = None,
) -> BookingPreview:
    """Every check `book_appointment` makes, without booking: what the confirm step shows.
    (Booking checks again inside its transaction: the time may be taken in between.)

    `patient` None: a person with no account yet, booking first (services/new_patient.py),
    new to every therapist; the triage gate then waits for the booking itself, which checks
    the intake made from their symptom check (the page has read the check's level already)."""
    start, now = start_in_utc(start), now or timezone.now()
    if patient is not None:
        check_booking_gate(patient, now)
    therapist = bookable_therapist(therapist_id=therapist_id)
    if patient is not None and therapist.user_id == patient.pk:
        raise Invalid("own_calendar", gettext("You cannot book a session with yourself."))
    check_new_patient(patient=patient or AnonymousUser(), therapist=therapist)
    session_type, location = checked_start(
        therapist=therapist,
        session_type_id=session_type_id,
        start=start,
        now=now,
    )
    preview = preview_at(
        patient=patient,
        therapist=therapist,
        session_type=session_type,
        location=location,
        start=start,
        now=now,
    )
    terms = payments.desk().booking_terms(
        session_type=session_type, location=location, start=start, now=now
    )
    return replace(preview, terms=terms)


def preview_at(
    *,
    patient: User | None,
    therapist: TherapistProfile,
    session_type: SessionType,
    location: Location,
    start: datetime,
    now: datetime,
    moving: int | None = None,
) -> BookingPreview:
    """The confirm step's facts once the start is bookable; refuses a time at which the
    patient is already booked (booking leaves that to the database, migration 0004, which
    names it in its refusal). With no patient (no account yet) there is nothing to overlap."""
    end = start + timedelta(minutes=session_type.minutes)
    if patient is not None and patient_overlaps(
        patient=patient, start=start, end=end, exclude_appointment=moving
    ):
        raise Conflict("patient_overlap", gettext(PATIENT_OVERLAP))
    return BookingPreview(
        therapist=therapist,
        session_type=session_type,
        location=location,
        start=start,
        end=end,
        cancellation_window_hours=policy_of(location).cancellation_window_hours,
        already_late=already_late(start, location, now),
    )


def create_at(
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
    deposit: bool = False,
) -> Appointment:
    """Check a start against the calendar and insert; the caller holds the therapist lock.
    With `deposit`, a clinic that takes deposits by card gets the slot HELD until it is paid
    (payments.py) instead of booked."""
    session_type, location = checked_start(
        therapist=therapist,
        session_type_id=session_type_id,
        start=start,
        now=now,
        exclude_appointment=exclude_appointment,
    )
    if deposit:
        hold = payments.desk().deposit_hold(session_type=session_type, location=location)
        if hold is not None:
            status, hold_expires_at = AppointmentStatus.HELD, now + hold
    end = start + timedelta(minutes=session_type.minutes)
    buffer = policy_durations(policy_of(location))["buffer"]
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                patient=patient,
                therapist=therapist,
                location=location,
                session_type=session_type,
                start=start,
                end=end,
                busy_until=end + buffer,
                cancellation_window_hours=policy_of(location).cancellation_window_hours,
                status=status,
                rescheduled_from=rescheduled_from,
                hold_expires_at=hold_expires_at,
            )
    except IntegrityError as exc:
        if any(name in str(exc) for name in ("patient_overlap", "patient_no_overlap")):
            raise Conflict("patient_overlap", gettext(PATIENT_OVERLAP)) from None
        raise Conflict("slot_taken", refusal_words(Refusal.OVERLAP)) from None
    # The terms the patient was shown are the ones they booked under (the window above; the fees
    # are billing's).
    payments.desk().agree_terms(appointment)
    return appointment


def book_appointment(
    *,
    patient: User,
    therapist_id: int,
    start: datetime,
    session_type_id: int | None = None,
    now: datetime | None = None,
    replacing: Collection[int] | None = None,
) -> Appointment:
    """Book a start for a patient: theirs, or Conflict when it was just taken (`slot_taken`)
    or overlaps another of the patient's sessions (`patient_overlap`).

    Where the clinic takes a deposit by card, the slot is held for the patient instead
    (status HELD until `hold_expires_at`) and booked once the deposit is paid
    (`holds.confirm_paid_hold`); a failed payment or the time running out releases it. The
    patient's earlier time held for its deposit is let go (`payments.PaymentDesk.open_deposit`);
    `replacing` names the ones the confirm step showed."""
    start, now = start_in_utc(start), now or timezone.now()
    check_booking_gate(patient, now)
    with transaction.atomic():
        therapist = lock_therapist(therapist_id)
        if therapist.user_id == patient.pk:
            raise Invalid("own_calendar", gettext("You cannot book a session with yourself."))
        check_new_patient(patient=patient, therapist=therapist)
        appointment = create_at(
            patient=patient,
            therapist=therapist,
            session_type_id=session_type_id,
            start=start,
            now=now,
            deposit=True,
        )
        if appointment.status == AppointmentStatus.HELD:
            record_change(appointment, "held_for_deposit", patient, history.UNTIL_DEPOSIT_PAID)
            payments.desk().open_deposit(appointment, replacing)
        else:
            record_change(appointment, "booked", patient)
            after_commit(on_booked, appointment.pk)
    return appointment
