"""Scheduling test data: a therapist with working hours, patients the triage gate lets book,
local times, flare-up plans, and appointments placed straight in the database."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from sciaticare.directory.models import FlareUpPlanEntry, Location, SessionType, TherapistProfile
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentChange,
    AppointmentStatus,
    WorkingHours,
)
from tests.directory.factories import LocationFactory, TherapistProfileFactory
from tests.factories import AppointmentFactory, PatientFactory, TherapistFactory
from tests.intake.factories import make_intake

LONDON = ZoneInfo("Europe/London")


def working_therapist(
    *, time_zone: str = "Europe/London", start: time = time(9), end: time = time(17), **user: Any
) -> tuple[TherapistProfile, SessionType, Location]:
    """A therapist working every day from `start` to `end` at one new location; their standard
    session is 60 minutes. `user` fields name them (first_name=…)."""
    location = LocationFactory(time_zone=time_zone)
    profile = TherapistProfileFactory(location=location, user=TherapistFactory(**user))
    session = profile.session_types.get(is_standard=True)
    for weekday in range(7):
        WorkingHours.objects.create(
            therapist=profile, location=location, weekday=weekday, start=start, end=end
        )
    return profile, session, location


def bookable_patient(**fields: Any) -> Any:
    """A patient whose intake says massage is reasonable, so booking is allowed."""
    patient = PatientFactory(**fields)
    make_intake(patient)
    return patient


def at(days: int, hour: int, minute: int = 0, tz: ZoneInfo = LONDON) -> datetime:
    """`hour:minute` local time, `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def make_plan(patient: Any, *therapists: TherapistProfile) -> None:
    for rank, therapist in enumerate(therapists):
        FlareUpPlanEntry.objects.create(patient=patient, therapist=therapist, rank=rank)


def place_appointment(
    *,
    patient: Any,
    therapist: TherapistProfile,
    session: SessionType,
    location: Location,
    start: datetime,
    status: str = AppointmentStatus.BOOKED,
    changed_at: datetime | None = None,
) -> Appointment:
    """An appointment written directly (past ones, or dates beyond the booking horizon); a
    cancelled or moved one gets its change row at `changed_at` (default now)."""
    appointment = AppointmentFactory(
        patient=patient,
        therapist=therapist,
        location=location,
        session_type=session,
        start=start,
        status=status,
    )
    if status in (AppointmentStatus.CANCELLED, AppointmentStatus.RESCHEDULED):
        kind = "cancelled" if status == AppointmentStatus.CANCELLED else "rescheduled"
        AppointmentChange.objects.create(
            appointment=appointment, kind=kind, at=changed_at or timezone.now()
        )
    return appointment
