"""Reads for moving in from another system: the clinics an admin may import into, their runs,
and what a row names here (the clinic's therapists, locations and session types, a patient
imported before). Only the admins of a clinic see its runs; anyone else gets NotFound alike."""

from __future__ import annotations

from django.db.models import QuerySet

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Clinic, Location, SessionType, TherapistProfile
from sciaticare.directory.selectors.access import clinic_run_by
from sciaticare.integrations.models import ImportedRecord, ImportRun


def runs_of(*, clinic: Clinic, limit: int = 50) -> QuerySet[ImportRun]:
    return (
        ImportRun.objects.filter(clinic=clinic)
        .select_related("by")
        .defer("content")
        .order_by("-created_at", "-id")[:limit]
    )


def run_for(*, user: User, clinic_id: int, run_id: int) -> ImportRun:
    """One run of a clinic the user runs; NotFound alike for a missing or someone else's."""
    clinic = clinic_run_by(user=user, clinic_id=clinic_id)
    run = ImportRun.objects.filter(pk=run_id, clinic=clinic).select_related("clinic").first()
    if run is None:
        raise NotFound("record")
    return run


def therapists_of(*, clinic: Clinic) -> list[TherapistProfile]:
    return list(
        TherapistProfile.objects.filter(clinics=clinic, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .distinct()
    )


def locations_of(*, clinic: Clinic) -> list[Location]:
    return list(Location.objects.filter(clinic=clinic).order_by("id"))


def session_types_of(*, therapist: TherapistProfile) -> list[SessionType]:
    """The therapist's session types, the standard one first."""
    return list(SessionType.objects.filter(therapist=therapist).order_by("-is_standard", "id"))


def imported_target(*, clinic: Clinic, source: str, kind: str, source_id: str) -> int | None:
    """What the other system's row became here, if it was imported into this clinic."""
    return (
        ImportedRecord.objects.filter(
            clinic=clinic, source_system=source, kind=kind, source_id=source_id
        )
        .values_list("target_id", flat=True)
        .first()
    )


def imported_by(*, clinic: Clinic, user_id: int) -> bool:
    """True when this clinic's import made (or linked) this patient's account."""
    return ImportedRecord.objects.filter(clinic=clinic, kind="patients", target_id=user_id).exists()
