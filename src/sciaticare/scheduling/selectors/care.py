"""Who treats whom: the one rule of "treating therapist" (docs/architecture.md, "Who treats
whom"), an appointment that was booked, attended or missed. A cancelled or moved booking, a
waitlist hold and an expired offer make no care relationship, and neither does an intake share
(that consent opens the intake and the brief only: intake.selectors.may_read_intake).

Intake reads it through its seam (intake/care.py: ``treats``, ``patients_treated_by``,
``patient_clinic_id``), which scheduling installs with this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from sciaticare.accounts.models import Role, User
from sciaticare.scheduling.models import Appointment, AppointmentStatus

CARE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)


def care_appointments(*, patient: User) -> QuerySet[Appointment]:
    """The patient's appointments that make a care relationship (any therapist, any clinic)."""
    return Appointment.objects.filter(patient=patient, status__in=CARE_STATUSES)


def treats(*, therapist: User, patient: User) -> bool:
    """True when this therapist has a booked, attended or missed appointment with the patient."""
    if not therapist.has_role(Role.THERAPIST) or therapist.pk == patient.pk:
        return False
    return care_appointments(patient=patient).filter(therapist__user=therapist).exists()


def therapists_treating(*, patient: User | AnonymousUser) -> set[int]:
    """Ids of the therapist profiles that treat this patient (the rule of :func:`treats`)."""
    if not patient.is_authenticated:
        return set()
    return set(care_appointments(patient=patient).values_list("therapist_id", flat=True))


class Listing(Protocol):
    """A therapist as a page lists them: a profile, or the directory's search row."""

    @property
    def pk(self) -> int: ...

    @property
    def accepting_new_patients(self) -> bool: ...


def closed_to(*, patient: User | AnonymousUser, therapists: Iterable[Listing]) -> set[int]:
    """Ids of those therapists who would refuse this patient as new: a therapist "not taking
    new patients" still takes the patients they treat, and nobody else (anonymous visitors
    included, who would be new to everyone)."""
    not_taking = {t.pk for t in therapists if not t.accepting_new_patients}
    if not not_taking:
        return set()
    return not_taking - therapists_treating(patient=patient)


def patients_treated_by(therapist: User) -> QuerySet[User]:
    """The patients this therapist treats, by the same rule as :func:`treats`, each with the
    first and last of their sessions with this therapist (``first_session``,
    ``last_session``): two clients of the same name are told apart by when they come."""
    if not therapist.has_role(Role.THERAPIST):
        return User.objects.none()
    theirs = Q(appointments__therapist__user=therapist, appointments__status__in=CARE_STATUSES)
    return (
        User.objects.filter(
            pk__in=Appointment.objects.filter(
                therapist__user=therapist, status__in=CARE_STATUSES
            ).values("patient_id")
        )
        .exclude(pk=therapist.pk)
        .annotate(
            first_session=Min("appointments__start", filter=theirs),
            last_session=Max("appointments__start", filter=theirs),
        )
    )


# Statuses that are no booking of the patient's: a waitlist hold, an offer that expired.
NOT_BOOKED_BY_PATIENT = (AppointmentStatus.HELD, AppointmentStatus.EXPIRED)


def is_patient_of_clinic(*, patient: User, clinic_id: int) -> bool:
    """True when the person has booked with this clinic: an appointment at one of its
    locations in any status but a waitlist hold or an expired offer. A clinic-level read
    beside :func:`treats` (which it does not widen): what a clinic's import may link to."""
    return (
        Appointment.objects.filter(patient=patient, location__clinic_id=clinic_id)
        .exclude(status__in=NOT_BOOKED_BY_PATIENT)
        .exists()
    )


def patient_clinic_id(*, patient: User, now: datetime | None = None) -> int | None:
    """The clinic a patient belongs to for content a clinic owns (its licensed questionnaire
    text): the clinic of their next booked appointment, else of their most recent one that
    was not cancelled; None with neither (docs/architecture.md, "Licensed questionnaires")."""
    now = now or timezone.now()
    clinics = Appointment.objects.filter(patient=patient).values_list(
        "location__clinic_id", flat=True
    )
    upcoming = (
        clinics.filter(status=AppointmentStatus.BOOKED, start__gte=now).order_by("start").first()
    )
    if upcoming is not None:
        return upcoming
    return (
        clinics.filter(
            start__lt=now,
            status__in=CARE_STATUSES,
        )
        .order_by("-start")
        .first()
    )
