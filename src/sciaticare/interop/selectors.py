"""Reads for the patient's "download everything" archive: the rows of its CSV files, and the
patient's archives; and which resources of other systems' Bundles a patient has imported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.core.generated import FileStatus
from sciaticare.core.spreadsheet import Cell
from sciaticare.core.time import as_utc
from sciaticare.directory.ranking import MODALITIES
from sciaticare.exercises.models import ExerciseLog, LegPain
from sciaticare.exercises.selectors.library import exercise_words
from sciaticare.intake import bodymap
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.interop.models import DataExport, ImportedResource
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment, AppointmentStatus

#: How long a made archive can be downloaded; the daily task then deletes it.
EXPORT_KEPT_FOR: Final = timedelta(days=7)

DIARY_HEADER: Final = (
    "date",
    "back_pain_0_to_10",
    "leg_pain_0_to_10",
    "tags",
    "note",
    "first_logged_utc",
    "last_changed_utc",
)
EXERCISES_HEADER: Final = (
    "date",
    "exercise",
    "programme_from",
    "done",
    "leg_pain_after",
    "spread_down_leg",
    "first_logged_utc",
    "last_changed_utc",
)
SESSIONS_HEADER: Final = (
    "start_utc",
    "end_utc",
    "status",
    "therapist",
    "clinic",
    "location",
    "note_signed_utc",
    "regions_worked_on",
    "techniques",
    "pressure",
    "minutes",
    "back_pain_before",
    "back_pain_after",
    "leg_pain_before",
    "leg_pain_after",
    "home_care_advice",
    "assessment_shared_with_you",
    "amended_after_signing",
)
SCORES_HEADER: Final = (
    "completed_utc",
    "instrument_code",
    "instrument",
    "instrument_version",
    "score",
    "band",
    "subscores",
)


def _yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _joined(values: Sequence[str]) -> str:
    return "; ".join(values)


def diary_rows(*, patient: User) -> list[tuple[Cell, ...]]:
    return [
        (
            e.day,
            e.back_pain,
            e.leg_pain,
            _joined(e.tags),
            e.note,
            as_utc(e.created_at),
            as_utc(e.updated_at),
        )
        for e in PainEntry.objects.filter(patient=patient).order_by("day")
    ]


def exercise_rows(*, patient: User) -> list[tuple[Cell, ...]]:
    """Every exercise tick of the patient's programmes, oldest first: a library exercise by its
    name in the patient's language (the caller's), who the programme came from."""
    logs = (
        ExerciseLog.objects.filter(plan__patient=patient)
        .select_related("exercise", "plan__therapist")
        .order_by("date", "plan_id", "exercise_id")
    )
    said = dict(LegPain.choices)
    return [
        (
            log.date,
            exercise_words(log.exercise).name,
            log.plan.therapist.display_name if log.plan.therapist else log.plan.prescriber,
            _yes_no(log.done),
            str(said[log.leg_pain]) if log.leg_pain else "",
            _yes_no(log.spread_down_leg),
            as_utc(log.created_at),
            as_utc(log.updated_at),
        )
        for log in logs
    ]


def session_rows(*, patient: User) -> list[tuple[Cell, ...]]:
    """Every appointment the patient booked (not waitlist holds), oldest first, with what the
    therapist recorded *for the patient* once the note is signed: the same fields as the
    patient's session summary (records/summary.py), plus pressure and minutes."""
    appointments = (
        Appointment.objects.filter(patient=patient)
        .exclude(status__in=[AppointmentStatus.HELD, AppointmentStatus.EXPIRED])
        .select_related("therapist__user", "location__clinic")
        .order_by("start", "pk")
    )
    notes = {
        n.appointment_id: n
        for n in SessionNote.objects.filter(
            patient=patient, signed_at__isnull=False
        ).prefetch_related("amendments")
    }
    rows: list[tuple[Cell, ...]] = []
    for a in appointments:
        note = notes.get(a.pk)
        recorded: tuple[Cell, ...] = (None,) * 11
        if note is not None:
            recorded = (
                as_utc(note.signed_at),
                _joined([bodymap.REGIONS[c].label for c in note.regions if c in bodymap.REGIONS]),
                _joined([MODALITIES.get(c, c) for c in note.techniques]),
                note.get_pressure_display() if note.pressure else None,
                note.minutes,
                note.back_pain_before,
                note.back_pain_after,
                note.leg_pain_before,
                note.leg_pain_after,
                _joined(list(note.home_care)),
                note.assessment if note.assessment_shared else None,
            )
        amended = bool(note is not None and note.amendments.all())
        rows.append(
            (
                as_utc(a.start),
                as_utc(a.end),
                a.get_status_display(),
                a.therapist.user.display_name,
                a.location.clinic.name,
                a.location.name,
                *recorded,
                "yes" if amended else ("no" if note is not None else None),
            )
        )
    return rows


def score_rows(*, patient: User) -> list[tuple[Cell, ...]]:
    rows: list[tuple[Cell, ...]] = []
    for r in QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at", "pk"):
        instrument = INSTRUMENTS.get(r.instrument)
        rows.append(
            (
                as_utc(r.completed_at),
                r.instrument,
                instrument.title if instrument else r.instrument,
                r.instrument_version,
                r.score,
                r.band,
                _joined([f"{k}={v}" for k, v in sorted(r.subscores.items())]),
            )
        )
    return rows


def exports_of(*, patient: User) -> QuerySet[DataExport]:
    """The patient's archives still kept, newest first, without their bytes."""
    return DataExport.objects.filter(
        patient=patient, requested_at__gte=timezone.now() - EXPORT_KEPT_FOR
    ).defer("content")


def ready_export_for(*, user: User, export_id: int) -> DataExport:
    """A ready archive of the user's own, still kept; NotFound alike for missing, pending,
    expired or someone else's."""
    found = (
        exports_of(patient=user).filter(pk=export_id, status=FileStatus.READY).defer(None).first()
    )
    if found is None:
        raise NotFound("export")
    return found


def imported_keys(*, patient: User) -> frozenset[str]:
    """The keys of the resources of other systems' Bundles already in the patient's record
    (``interop.fhir.standard.resource_key``)."""
    return frozenset(ImportedResource.objects.filter(patient=patient).values_list("key", flat=True))
