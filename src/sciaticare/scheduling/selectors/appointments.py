"""People's appointments: their own lists, one they are party to, a therapist's sessions, and
whether a patient is already booked at a time (and which booking)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.scheduling import payments
from sciaticare.scheduling.models import (
    ACTIVE_STATUSES,
    LONGEST_BUSY,
    Appointment,
    AppointmentChange,
    AppointmentStatus,
)


def patient_overlaps(
    *, patient: User, start: datetime, end: datetime, exclude_appointment: int | None = None
) -> bool:
    """Whether the patient has an active session overlapping [start, end), with anyone."""
    overlapping = Appointment.objects.filter(
        patient=patient,
        status__in=ACTIVE_STATUSES,
        start__gt=start - LONGEST_BUSY,
        start__lt=end,
        end__gt=start,
    )
    if exclude_appointment is not None:
        overlapping = overlapping.exclude(pk=exclude_appointment)
    return overlapping.exists()


def own_booking_at(*, patient: User, therapist_id: int, start: datetime) -> Appointment | None:
    """The patient's own active booking (booked, or held for its deposit) with the therapist at
    `start`: what a second tap on Confirm finds, the first tap having booked it."""
    return Appointment.objects.filter(
        patient=patient, therapist_id=therapist_id, start=start, status__in=ACTIVE_STATUSES
    ).first()


def appointments_of(*, user: User) -> QuerySet[Appointment]:
    """The caller's own appointments, as patient or as therapist."""
    return (
        Appointment.objects.filter(Q(patient=user) | Q(therapist__user=user))
        .exclude(status__in=["held", "expired"])
        .select_related("therapist__user", "location__clinic", "session_type", "patient")
    )


def held_for_deposit(now: datetime) -> Q:
    """Bookings held until their deposit is paid, the hold still open."""
    return Q(
        status=AppointmentStatus.HELD,
        hold_expires_at__gt=now,
        pk__in=AppointmentChange.objects.filter(kind="held_for_deposit").values("appointment_id"),
    )


def coming_up(
    *, patient: User, now: datetime, most: int = 3
) -> tuple[list[Appointment], list[Appointment]]:
    """The patient's next `most` booked sessions, and their bookings held for a deposit, in one
    query (the dashboard's budget): (booked, held), each soonest first."""
    found = list(
        Appointment.objects.filter(
            Q(status=AppointmentStatus.BOOKED, start__gte=now) | held_for_deposit(now),
            patient=patient,
        )
        .select_related("therapist__user", "location")
        .order_by("start", "pk")[: most * 2]
    )
    booked = [a for a in found if a.status == AppointmentStatus.BOOKED][:most]
    return booked, [a for a in found if a.status == AppointmentStatus.HELD]


def waiting_for_deposit(*, patient: User, now: datetime) -> list[Appointment]:
    """The patient's bookings held until their deposit is paid (still open), soonest first: so
    that one left mid-payment can be found again."""
    return list(
        Appointment.objects.filter(held_for_deposit(now), patient=patient)
        .select_related("therapist__user", "location")
        .order_by("hold_expires_at", "pk")
    )


def held_times_let_go(*, patient: User, terms: payments.BookingTerms | None) -> list[Appointment]:
    """The patient's times held for a deposit that a booking under `terms` lets go (when it is
    held for a deposit of its own), soonest first: what its confirm step names."""
    if terms is None or not terms.deposit:
        return []
    ids = payments.desk().holds_replaced(patient)
    if not ids:
        return []
    return list(
        Appointment.objects.filter(pk__in=ids)
        .select_related("therapist__user", "location")
        .order_by("start", "pk")
    )


def appointment_for(*, user: User, appointment_id: int) -> Appointment:
    """An appointment the caller is party to (patient or therapist); 404 alike otherwise."""
    found = appointments_of(user=user).filter(pk=appointment_id).first()
    if found is None:
        raise NotFound("appointment")
    return found


def sessions_of(*, therapist_user: User) -> QuerySet[Appointment]:
    """The therapist's own appointments that are sessions: every status but a waitlist hold
    and a lapsed offer (HELD, EXPIRED), which nobody attended or missed. What their session
    notes and session lists start from."""
    return Appointment.objects.filter(therapist__user=therapist_user).exclude(
        status__in=(AppointmentStatus.HELD, AppointmentStatus.EXPIRED)
    )


def cancelled_by_patient(appointment: Appointment) -> bool:
    """Whether the patient (not the therapist) called a cancelled session off: its latest
    cancellation's author. The notice says so, and only the patient's may cost a fee."""
    change = (
        AppointmentChange.objects.filter(
            appointment=appointment, kind__in=("cancelled", "late_cancelled")
        )
        .order_by("-at", "-pk")
        .first()
    )
    return change is not None and change.by_id == appointment.patient_id
