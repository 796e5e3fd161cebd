"""The red-flag re-check before a booking: which questions it asks and how long an answer holds.
Pure, no Django.

An intake can be weeks old when a patient books, and a flare-up is exactly when bladder, bowel
or saddle symptoms can appear. So before a booking whose intake is older than `FRESH_FOR`, the
patient answers the emergency and urgent questions again (docs/clinical.md, triage levels).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.questions import QUESTIONS, Question
from sciaticare.intake.triage.reasons import REASONS

# How long an intake, or a re-check of it, vouches for the patient's red flags.
FRESH_FOR = timedelta(days=1)

# Every question whose "yes" alone reaches urgent or emergency, in the question table's order.
QUESTIONS_ASKED: tuple[Question, ...] = tuple(
    q for q in QUESTIONS if q.reason is not None and REASONS[q.reason].level >= Level.URGENT
)
CODES: frozenset[str] = frozenset(q.code for q in QUESTIONS_ASKED)


def is_fresh(checked_at: datetime | None, now: datetime) -> bool:
    """Whether red flags answered at `checked_at` still hold at `now`."""
    return checked_at is not None and now - checked_at < FRESH_FOR
