"""The plain-language summary of a signed note that the patient sees (no clinical assessment
unless the therapist shared it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext

from sciaticare.directory.ranking import MODALITIES
from sciaticare.intake.bodymap import REGIONS
from sciaticare.records.models import SessionNote


@dataclass(frozen=True)
class Summary:
    appointment_id: int
    date: datetime
    therapist_name: str
    worked_on: list[str]
    techniques: list[str]
    back_pain_before: int | None
    back_pain_after: int | None
    leg_pain_before: int | None
    leg_pain_after: int | None
    home_care: list[str]
    assessment: str | None
    amended: bool


def summarise(note: SessionNote) -> Summary:
    return Summary(
        appointment_id=note.appointment_id,
        date=note.appointment.start,
        therapist_name=note.therapist.user.display_name,
        # The body map's and the directory's words, marked there: in the reader's language.
        worked_on=[gettext(REGIONS[c].label) for c in note.regions if c in REGIONS],
        techniques=[gettext(MODALITIES[c]) if c in MODALITIES else c for c in note.techniques],
        back_pain_before=note.back_pain_before,
        back_pain_after=note.back_pain_after,
        leg_pain_before=note.leg_pain_before,
        leg_pain_after=note.leg_pain_after,
        # As chosen; a built-in line in the reader's language (models.BUILT_IN_HOME_CARE).
        home_care=[gettext(line) if line else line for line in note.home_care],
        assessment=note.assessment if note.assessment_shared else None,
        amended=note.amendments.exists(),
    )
