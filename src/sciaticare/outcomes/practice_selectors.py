"""Reads of therapists' and clinics' outcomes: live reports for the people allowed to see them,
and the stored figures for the directory and public profiles.

Kept apart from ``selectors.py`` (one patient's relief) because it reads across patients.
Who may read what:

- a therapist's report: the therapist, an admin of one of their clinics, a site admin;
- a clinic's report (total and per therapist, its sessions only): its admins, a site admin;
- the stored figures (``TherapistOutcome``): anyone — they hold values only from
  ``practice.MIN_PATIENTS`` patients, which the public profile shows anyway.

Anyone else gets NotFound, alike for a missing and a forbidden report. Every live report reads
many patients' records and is audited (``outcomes.practice.view``, no single patient).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Sum

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Clinic, Location, TherapistProfile
from sciaticare.directory.selectors.access import administers, clinics_administered
from sciaticare.exercises.adherence import adherent
from sciaticare.exercises.selectors.progress import adherence_in_windows
from sciaticare.outcomes import practice
from sciaticare.outcomes.models import ClinicExerciseOutcome, PracticeFigures, TherapistOutcome
from sciaticare.outcomes.practice_query import Key, Scope, outcomes_from_rows, outcomes_sql

#: Planner settings for the outcome statement only (SET LOCAL: its own transaction).
POSTGRES_SETTINGS = (
    # A large clinic's hash joins and sorts hold some 100,000 sessions and 30,000 courses: in
    # memory rather than in temporary files (4 MB, the default, is just enough for the
    # benchmark's large clinic; a larger one would spill).
    "SET LOCAL work_mem = '64MB'",
    # The default (4) prices an index lookup as a disk seek; the notes, diary and
    # questionnaires a report reads are in memory or on SSD. At 4, a small clinic's 5,000
    # notes were found by reading all 200,000 (166 ms p50 on the benchmark, 68 ms at 1.1);
    # a large clinic's plan is the same either way.
    "SET LOCAL random_page_cost = 1.1",
)


def compute_outcomes(
    scopes: Sequence[Scope],
    *,
    clinic_id: int | None = None,
    therapist_ids: Sequence[int] | None = None,
) -> dict[Key, practice.Outcomes]:
    """The figures by (clinic id or 0, therapist id or 0), computed now in one statement.

    No access check: callers are the report selectors below and the daily refresh.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # The clinic's locations as numbers in the statement, not a join to them: PostgreSQL's
        # statistics then know how many sessions those locations hold (half the network's, for
        # a large clinic) and it reads them with hash joins rather than 100,000 index lookups.
        location_ids = (
            None
            if clinic_id is None
            else list(Location.objects.filter(clinic_id=clinic_id).values_list("pk", flat=True))
        )
        sql, params = outcomes_sql(
            connection.vendor, scopes, location_ids=location_ids, therapist_ids=therapist_ids
        )
        if connection.vendor == "postgresql":
            for setting in POSTGRES_SETTINGS:
                cursor.execute(setting)
        cursor.execute(sql, params)
        return outcomes_from_rows(cursor.fetchall())


def exercise_relief_by_clinic(*, today: date) -> dict[int, practice.ExerciseRelief]:
    """Each clinic's responders among patients who kept up their home exercises and among
    those who did not (``practice.exercise_relief``), over the clinic's courses of patients
    with a programme: one statement for their responder verdicts, five reads of their
    programmes. No access check: the daily refresh is the caller."""
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = outcomes_sql(connection.vendor, [Scope.CLINIC], programme_courses=True)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    start, end = practice.ADHERENCE_WINDOW
    windows: dict[tuple[int, int], tuple[int, date, date]] = {}
    responders: dict[tuple[int, int], bool] = {}
    for clinic, _, patient, first_day, responder in rows:
        first = date.fromisoformat(first_day) if isinstance(first_day, str) else first_day
        last = min(first + timedelta(days=end - 1), today)
        windows[clinic, patient] = (patient, first + timedelta(days=start), last)
        responders[clinic, patient] = bool(responder)
    weeks = adherence_in_windows(windows)
    pairs: dict[int, list[tuple[bool, bool]]] = {}
    for key, found in weeks.items():
        kept_up = adherent(found)
        if kept_up is not None:
            pairs.setdefault(key[0], []).append((kept_up, responders[key]))
    return {clinic: practice.exercise_relief(found) for clinic, found in pairs.items()}


_NONE = practice.Outcomes(
    patients=0,
    relief=practice.Figure(None, 0),
    responders=practice.Figure(None, 0),
    questionnaire_change=practice.Figure(None, 0),
)


@dataclass(frozen=True)
class TherapistReport:
    therapist: TherapistProfile
    outcomes: practice.Outcomes


@dataclass(frozen=True)
class StoredExerciseRelief:
    """A clinic's exercise and relief figures as the daily refresh left them."""

    relief: practice.ExerciseRelief
    computed_at: datetime


@dataclass(frozen=True)
class ClinicReport:
    clinic: Clinic
    total: practice.Outcomes
    therapists: list[tuple[TherapistProfile, practice.Outcomes]]
    exercise: StoredExerciseRelief | None = None


def therapist_report(*, viewer: User, profile_id: int) -> TherapistReport:
    """A therapist's live figures across all their patients; for them and their admins."""
    profile = TherapistProfile.objects.filter(pk=profile_id).select_related("user").first()
    if profile is None or not (profile.user_id == viewer.pk or administers(viewer, profile)):
        raise NotFound("outcome report")
    found = compute_outcomes([Scope.THERAPIST], therapist_ids=[profile.pk])
    record_event(actor=viewer, action="outcomes.practice.view", patient=None, obj=profile)
    return TherapistReport(profile, found.get((0, profile.pk), _NONE))


def own_profile_id(*, user: User) -> int | None:
    """The therapist's own profile id, for the "My outcomes" link."""
    return TherapistProfile.objects.filter(user=user).values_list("pk", flat=True).first()


def clinics_for_reports(*, viewer: User) -> list[Clinic]:
    """The clinics whose report the viewer may open."""
    return list(clinics_administered(user=viewer))


def clinic_report(*, viewer: User, clinic_id: int) -> ClinicReport:
    """A clinic's live figures, in total and per therapist, over its own sessions only (a
    therapist's patients elsewhere are not this clinic's to see), and its stored exercise and
    relief figures. Four queries."""
    clinic = clinics_administered(user=viewer).filter(pk=clinic_id).first()
    if clinic is None:
        raise NotFound("outcome report")
    found = compute_outcomes([Scope.CLINIC, Scope.CLINIC_THERAPIST], clinic_id=clinic.pk)
    record_event(actor=viewer, action="outcomes.practice.view", patient=None, obj=clinic)
    treating = {k2 for (_, k2) in found if k2}
    profiles = (
        (
            TherapistProfile.objects.filter(pk__in=treating)
            | TherapistProfile.objects.filter(clinics=clinic)
        )
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return ClinicReport(
        clinic=clinic,
        total=found.get((clinic.pk, 0), _NONE),
        therapists=[(p, found.get((clinic.pk, p.pk), _NONE)) for p in profiles],
        exercise=stored_exercise_relief(clinic_id=clinic.pk),
    )


def stored_exercise_relief(*, clinic_id: int) -> StoredExerciseRelief | None:
    """The clinic's stored exercise and relief figures (one indexed query); None before the
    first refresh that found a patient with a programme there."""
    row = ClinicExerciseOutcome.objects.filter(clinic_id=clinic_id).first()
    if row is None:
        return None
    return StoredExerciseRelief(
        practice.ExerciseRelief(
            adherent=practice.Figure.of(row.adherent_responder_percent, row.adherent_patients),
            other=practice.Figure.of(row.other_responder_percent, row.other_patients),
        ),
        row.computed_at,
    )


# --- Stored figures (refreshed daily: practice_services.refresh_outcomes) ------------------


def stored_outcomes(row: PracticeFigures) -> practice.Outcomes:
    return practice.Outcomes(
        patients=row.patients,
        relief=practice.Figure.of(row.relief_median, row.relief_patients),
        responders=practice.Figure.of(row.responder_percent, row.responder_patients),
        questionnaire_change=practice.Figure.of(
            row.questionnaire_change, row.questionnaire_patients
        ),
    )


@dataclass(frozen=True)
class PublicOutcomes:
    outcomes: practice.Outcomes
    computed_at: datetime


def public_outcomes(*, profile_id: int) -> PublicOutcomes | None:
    """What a public profile shows: the stored figures, only when one reaches the threshold."""
    row = TherapistOutcome.objects.filter(therapist_id=profile_id).first()
    if row is None:
        return None
    outcomes = stored_outcomes(row)
    return PublicOutcomes(outcomes, row.computed_at) if outcomes.any_shown else None


@dataclass(frozen=True)
class OutcomeTerms:
    """What the directory's ranking needs: each therapist's (median relief, patients), only
    for those with a shown relief figure, and the overall mean to shrink towards (None until
    any therapist has one). Feed them to ``ranking.outcome_relief`` / ``Candidate``."""

    by_therapist: dict[int, tuple[float, int]]
    overall_relief: float | None


def outcome_terms(therapist_ids: Iterable[int] | None = None) -> OutcomeTerms:
    """Two indexed queries whatever the number of therapists (None: all); stored aggregates only."""
    shown = TherapistOutcome.objects.filter(relief_median__isnull=False)
    if therapist_ids is not None:
        shown = shown.filter(therapist_id__in=list(therapist_ids))
    rows = shown.values_list("therapist_id", "relief_median", "relief_patients")
    return OutcomeTerms(
        by_therapist={t: (float(m), int(n)) for t, m, n in rows if m is not None},
        overall_relief=overall_relief(),
    )


def overall_relief() -> float | None:
    """The patient-weighted mean of the shown medians: the typical patient's relief (or None)."""
    overall: dict[str, Any] = TherapistOutcome.objects.filter(
        relief_median__isnull=False
    ).aggregate(
        weighted=Sum(F("relief_median") * F("relief_patients")), patients=Sum("relief_patients")
    )
    return overall["weighted"] / overall["patients"] if overall["patients"] else None
