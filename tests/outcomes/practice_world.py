"""Test data for therapists' and clinics' outcomes: signed sessions, diaries and RMDQ scores
written straight to the database (signing through the service is slow and tested elsewhere)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sciaticare.directory.models import Location, TherapistProfile
from sciaticare.intake.models import QuestionnaireResponse
from sciaticare.outcomes.models import PainEntry
from sciaticare.records.models import SessionNote
from tests.factories import PainEntryFactory, SessionNoteFactory

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """Hands out session starts that never overlap for one therapist (starts on a 2-hour grid)."""

    def __init__(self) -> None:
        self.used: set[tuple[int, datetime]] = set()

    def free(self, therapist: TherapistProfile, wanted: datetime) -> datetime:
        at = wanted
        while (therapist.pk, at) in self.used:
            at += timedelta(hours=2)
        self.used.add((therapist.pk, at))
        return at


def signed_session(
    *,
    therapist: TherapistProfile,
    patient: Any,
    location: Location,
    start: datetime,
    pain: tuple[int | None, int | None, int | None, int | None] = (6, 4, 7, 4),
    signed: bool = True,
) -> SessionNote:
    """A completed appointment with a (signed) note: pain = back before/after, leg before/after."""
    back_before, back_after, leg_before, leg_after = pain
    return SessionNoteFactory(
        appointment__therapist=therapist,
        appointment__patient=patient,
        appointment__location=location,
        appointment__start=start,
        back_pain_before=back_before,
        back_pain_after=back_after,
        leg_pain_before=leg_before,
        leg_pain_after=leg_after,
        signed=signed,
    )


def diary(patient: Any, day: date, back: int, leg: int) -> PainEntry:
    return PainEntryFactory(patient=patient, day=day, back_pain=back, leg_pain=leg)


def rmdq(patient: Any, at: datetime, score: float, instrument: str = "rmdq") -> Any:
    return QuestionnaireResponse.objects.create(
        patient=patient,
        instrument=instrument,
        instrument_version="1",
        resource={},
        score=score,
        completed_at=at,
    )


def responding_patient(
    therapist: TherapistProfile, location: Location, patient: Any, clock: Clock, *, offset: int
) -> None:
    """A patient with one session (relief 3 on the worse site), a diary that halves by week 6
    (a responder) and RMDQ 12 → 6."""
    start = clock.free(therapist, START + timedelta(days=offset))
    signed_session(
        therapist=therapist, patient=patient, location=location, start=start, pain=(5, 3, 7, 4)
    )
    for d in range(1, 8):
        diary(patient, start.date() - timedelta(days=d), 6, 7)
    for d in range(35, 49, 3):
        diary(patient, start.date() + timedelta(days=d), 3, 3)
    rmdq(patient, start - timedelta(days=2), 12)
    rmdq(patient, start + timedelta(days=40), 6)
