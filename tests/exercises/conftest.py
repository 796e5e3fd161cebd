"""A small world for the exercises app: a clinic with a therapist who treats a patient (one
completed session), a few exercises of each kind, and people in every other role."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sciaticare.exercises.models import Exercise
from sciaticare.exercises.services.plans import ItemInput
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.directory.factories import ClinicFactory, LocationFactory, TherapistProfileFactory
from tests.factories import ClinicAdminFactory, PatientFactory, SiteAdminFactory


def session(
    therapist: Any,
    patient: Any,
    *,
    days_ago: float = 1,
    status: str = AppointmentStatus.COMPLETED,
    location: Any = None,
) -> Appointment:
    """An appointment written directly (around the booking rules), ``days_ago`` days back
    (negative: ahead)."""
    location = location or therapist.locations.first()
    start = (timezone.now() - timedelta(days=days_ago)).replace(second=0, microsecond=0)
    kind = therapist.session_types.get(is_standard=True)
    return Appointment.objects.create(
        patient=patient,
        therapist=therapist,
        location=location,
        session_type=kind,
        start=start,
        end=start + timedelta(minutes=kind.minutes),
        busy_until=start + timedelta(minutes=kind.minutes + 15),
        status=status,
    )


def exercise(
    slug: str, *, clinic: Any = None, patient: Any = None, timed: bool = False
) -> Exercise:
    return Exercise.objects.create(
        slug=slug,
        name=slug.replace("-", " ").capitalize(),
        clinic=clinic,
        patient=patient,
        timed=timed,
    )


def reps(exercise_id: int, **dose: Any) -> ItemInput:
    return ItemInput(exercise_id=exercise_id, **{"repetitions": 10, **dose})


def dosed(exercise: Any) -> ItemInput:
    """An item dosed as the exercise is counted: minutes for a timed one, else repetitions."""
    return ItemInput(exercise.pk, minutes=15) if exercise.timed else reps(exercise.pk)


#: The frozen clock's start: Tuesday 14 July 2026, noon UTC.
NOON = datetime(2026, 7, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The clock, frozen; ``clock.at = …`` moves it."""

    class Clock:
        at = NOON

    monkeypatch.setattr(timezone, "now", lambda: Clock.at)
    return Clock


@pytest.fixture
def world(db: None, clock: Any) -> dict[str, Any]:
    clinic, other_clinic = ClinicFactory(), ClinicFactory()
    location = LocationFactory(clinic=clinic)
    therapist = TherapistProfileFactory(location=location)
    therapist.clinics.add(clinic)
    patient = PatientFactory(first_name="Odalys", last_name="Fenwick")
    admin, other_admin = ClinicAdminFactory(), ClinicAdminFactory()
    clinic.admins.add(admin)
    other_clinic.admins.add(other_admin)
    appointment = session(therapist, patient, days_ago=7)
    exercises = {
        "walk": exercise("t-walk", timed=True),
        "tilt": exercise("t-pelvic-tilt"),
        "slider": exercise("t-slider"),
        "own_clinic": exercise("t-clinic-bridge", clinic=clinic),
        "other_clinic": exercise("t-other-bridge", clinic=other_clinic),
        "patients_own": exercise("t-my-stretch", patient=patient),
    }
    return {
        "clinic": clinic,
        "other_clinic": other_clinic,
        "location": location,
        "therapist_profile": therapist,
        "appointment": appointment,
        "exercises": exercises,
        "today": timezone.localdate(),
        "people": {
            "anonymous": None,
            "patient": patient,
            "other_patient": PatientFactory(),
            "therapist": therapist.user,
            "other_therapist": TherapistProfileFactory().user,
            "clinic_admin": admin,
            "other_clinic_admin": other_admin,
            "site_admin": SiteAdminFactory(),
        },
    }


def days_before(day: date, n: int) -> date:
    return day - timedelta(days=n)
