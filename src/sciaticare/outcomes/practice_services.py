"""The daily refresh of the stored outcome figures (``TherapistOutcome``, ``ClinicOutcome``,
``ClinicExerciseOutcome``).

The directory ranks by them on every search, so they are read from a summary table rather than
computed per search; the refresh runs from the daily task (``tasks.refresh_outcomes``), the
``refresh_outcomes`` command and the demo seeding. A refresh replaces every row in one
transaction, so a reader sees the old figures or the new ones, never a mix.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sciaticare.directory import search_table
from sciaticare.outcomes import practice
from sciaticare.outcomes.models import ClinicExerciseOutcome, ClinicOutcome, TherapistOutcome
from sciaticare.outcomes.practice_query import Scope
from sciaticare.outcomes.practice_selectors import compute_outcomes, exercise_relief_by_clinic


def _columns(found: practice.Outcomes, computed_at: datetime) -> dict[str, object]:
    return {
        "patients": found.patients,
        "relief_median": found.relief.value,
        "relief_patients": found.relief.patients,
        "responder_percent": found.responders.value,
        "responder_patients": found.responders.patients,
        "questionnaire_change": found.questionnaire_change.value,
        "questionnaire_patients": found.questionnaire_change.patients,
        "computed_at": computed_at,
    }


def refresh_outcomes(*, now: datetime | None = None) -> int:
    """Recompute every therapist's and clinic's figures; returns how many rows were written.

    Two statements read the records (all therapists; all clinics and their therapists); values
    below the threshold are stored empty (``Figure.of`` and a database constraint).
    """
    computed_at = now or timezone.now()
    by_therapist = compute_outcomes([Scope.THERAPIST])
    by_clinic = compute_outcomes([Scope.CLINIC, Scope.CLINIC_THERAPIST])
    # Exercise and relief: the clinic's total only, never per therapist.
    exercise = exercise_relief_by_clinic(today=computed_at.date())
    with transaction.atomic():
        TherapistOutcome.objects.all().delete()
        ClinicOutcome.objects.all().delete()
        ClinicExerciseOutcome.objects.all().delete()
        TherapistOutcome.objects.bulk_create(
            [
                TherapistOutcome(therapist_id=therapist, **_columns(found, computed_at))
                for (_, therapist), found in by_therapist.items()
            ],
            batch_size=1000,
        )
        ClinicOutcome.objects.bulk_create(
            [
                ClinicOutcome(
                    clinic_id=clinic, therapist_id=therapist or None, **_columns(found, computed_at)
                )
                for (clinic, therapist), found in by_clinic.items()
            ],
            batch_size=1000,
        )
        ClinicExerciseOutcome.objects.bulk_create(
            [
                ClinicExerciseOutcome(
                    clinic_id=clinic,
                    adherent_patients=found.adherent.patients,
                    adherent_responder_percent=found.adherent.value,
                    other_patients=found.other.patients,
                    other_responder_percent=found.other.value,
                    computed_at=computed_at,
                )
                for clinic, found in exercise.items()
            ],
            batch_size=1000,
        )
        # The directory ranks on these figures (and on their overall mean, which moves every
        # therapist's term): its search table follows in the same transaction.
        search_table.rebuild()
    return len(by_therapist) + len(by_clinic)
