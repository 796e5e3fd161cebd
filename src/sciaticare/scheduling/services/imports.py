"""Appointments a clinic brings from another system (integrations' import): future ones booked,
past ones as history (completed, missed or cancelled), under the same database rule as every
booking, which refuses two active sessions of one therapist, or of one patient, that overlap.

The clinic's booking rules (notice, horizon, working hours, the slot grid) are not applied:
the other system booked these already. An overlap is answered as a `Conflict` naming what it
overlaps, never as an error page; the caller lists it and goes on with the rest of the file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.directory.models import Location, SessionType, TherapistProfile
from sciaticare.scheduling.models import (
    ACTIVE_STATUSES,
    LONGEST_BUSY,
    Appointment,
    AppointmentStatus,
    policy_durations,
)
from sciaticare.scheduling.selectors.calendars import policy_of
from sciaticare.scheduling.services.booking import record_change

IMPORTED = "imported"  # the change row's kind: an appointment that came from another system


def overlapping(
    *, therapist: TherapistProfile, patient: User, start: datetime, busy_until: datetime
) -> Appointment | None:
    """An active appointment of this therapist, or of this patient, that the span overlaps."""
    near = Appointment.objects.filter(
        status__in=ACTIVE_STATUSES, start__gt=start - LONGEST_BUSY, start__lt=busy_until
    )
    near = near.select_related("location", "therapist__user")
    theirs = near.filter(therapist=therapist, busy_until__gt=start).order_by("start").first()
    if theirs is not None:
        return theirs
    return near.filter(patient=patient, end__gt=start).order_by("start").first()


def overlap_words(
    appointment: Appointment, *, clinic_id: int, therapist: TherapistProfile
) -> tuple[str, dict[str, Any]]:
    """Why an imported session overlaps, for the importing clinic's admin (the sentence, marked
    for translation, and its values): the appointment's id, time and therapist when it is at
    this clinic; when it is at another clinic, only that the therapist or the patient is busy
    then (another clinic's bookings are not this admin's to read)."""
    if appointment.location.clinic_id != clinic_id:
        if appointment.therapist_id == therapist.pk:
            return gettext_noop("The therapist has another session at that time."), {}
        return gettext_noop("The patient has another session at that time."), {}
    when = timezone.localtime(appointment.start, ZoneInfo(appointment.location.time_zone))
    return gettext_noop("It overlaps appointment %(id)s (%(when)s with %(therapist)s)."), {
        "id": appointment.pk,
        "when": f"{when:%Y-%m-%d %H:%M}",
        "therapist": appointment.therapist.user.display_name,
    }


def plan_import(
    *,
    patient: User,
    therapist: TherapistProfile,
    location: Location,
    session_type: SessionType,
    start: datetime,
    end: datetime | None,
    past: bool,
    status: str,
    check_overlap: bool = True,
) -> tuple[datetime, datetime, str]:
    """The end, busy-until and status the appointment would be stored with; Invalid for a
    session too long to keep, Conflict (naming the appointment) for an overlap."""
    if timezone.is_naive(start):
        raise Invalid.saying("naive_time", gettext_noop("The start needs its time zone."))
    end = end or start + timedelta(minutes=session_type.minutes)
    buffer = policy_durations(policy_of(location))["buffer"]
    busy_until = end + buffer
    if busy_until - start > LONGEST_BUSY:
        raise Invalid.saying(
            "too_long", gettext_noop("It lasts longer than a session can (6 hours).")
        )
    if status in (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW) or past:
        stored = status if status != AppointmentStatus.BOOKED else AppointmentStatus.COMPLETED
    else:
        stored = AppointmentStatus.BOOKED
    if check_overlap and stored in ACTIVE_STATUSES:
        clash = overlapping(
            therapist=therapist, patient=patient, start=start, busy_until=busy_until
        )
        if clash is not None:
            text, params = overlap_words(clash, clinic_id=location.clinic_id, therapist=therapist)
            raise Conflict.saying("overlap", text, params)
    return end, busy_until, stored


def import_appointment(
    *,
    patient: User,
    therapist: TherapistProfile,
    location: Location,
    session_type: SessionType,
    start: datetime,
    end: datetime | None,
    status: str,
    by: User,
    source: str,
    now: datetime,
) -> Appointment:
    """Store one imported appointment: booked when it lies ahead (and was not cancelled), else
    as history (completed unless the file says missed or cancelled). Conflict when it overlaps
    another active appointment of the therapist or the patient (checked first, and refused by
    the database whatever the check saw)."""
    end, busy_until, stored = plan_import(
        patient=patient,
        therapist=therapist,
        location=location,
        session_type=session_type,
        start=start,
        end=end,
        past=start <= now,
        status=status,
    )
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                patient=patient,
                therapist=therapist,
                location=location,
                session_type=session_type,
                start=start,
                end=end,
                busy_until=busy_until,
                status=stored,
                cancellation_window_hours=policy_of(location).cancellation_window_hours,
            )
    except IntegrityError:
        raise Conflict.saying(
            "overlap",
            gettext_noop("It overlaps another appointment of the therapist or the patient."),
        ) from None
    record_change(
        appointment, IMPORTED, by, gettext("Imported from %(system)s") % {"system": source}
    )
    return appointment


def was_imported(appointment: Appointment) -> bool:
    return appointment.changes.filter(kind=IMPORTED).exists()
