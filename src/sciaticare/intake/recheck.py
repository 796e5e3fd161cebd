"""The red-flag re-check before a booking: which questions it asks, how long an answer holds,
and how long an intake may be re-checked rather than filled in again. Pure, no Django.

An intake can be weeks old when a patient books, and a flare-up is exactly when bladder, bowel
or saddle symptoms can appear. So:

- red flags answered within `FRESH_FOR` (a day) of a booking hold for it: a fresh intake, or a
  re-check of it;
- an intake saved within `VALID_FOR` (four weeks), in an episode still open, may be re-checked:
  the emergency and urgent questions on one screen, "nothing has changed" in one tap
  (docs/clinical.md, "The red-flag re-check");
- past that, or with no intake in an open episode (none yet, or the patient started a new
  episode), the patient fills in the intake again: every question, not only the red flags. A
  re-check never extends an intake's four weeks; only a new intake does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.questions import QUESTIONS, Question
from sciaticare.intake.triage.reasons import REASONS

# How long an intake, or a re-check of it, vouches for the patient's red flags.
FRESH_FOR = timedelta(days=1)
# How long an intake may be confirmed by the re-check instead of being filled in again: about
# the acute phase (docs/clinical.md, "Episode phases"), after which the picture has often
# changed and questionnaires and the body map are worth asking again.
VALID_FOR = timedelta(weeks=4)

# Every question whose "yes" alone reaches urgent or emergency, in the question table's order.
QUESTIONS_ASKED: tuple[Question, ...] = tuple(
    q for q in QUESTIONS if q.reason is not None and REASONS[q.reason].level >= Level.URGENT
)
CODES: frozenset[str] = frozenset(q.code for q in QUESTIONS_ASKED)


class Needed(StrEnum):
    """What a patient must do before booking, as far as red flags go."""

    NOTHING = "nothing"  # answered within a day
    RECHECK = "recheck"  # the red-flag questions on one screen
    INTAKE = "intake"  # the whole intake again


def is_fresh(checked_at: datetime | None, now: datetime) -> bool:
    """Whether red flags answered at `checked_at` still hold at `now`."""
    return checked_at is not None and now - checked_at < FRESH_FOR


def is_valid(intake_at: datetime, now: datetime) -> bool:
    """Whether an intake saved at `intake_at` may still be confirmed by a re-check at `now`."""
    return now - intake_at < VALID_FOR


def needed_before_booking(
    *, intake_at: datetime | None, answered_at: datetime | None, now: datetime
) -> Needed:
    """`intake_at`: when the current intake (of an open episode) was saved, None without one;
    `answered_at`: the patient's latest red-flag answers for it (its latest re-check "None of
    these"), None if never re-checked."""
    if intake_at is None or not is_valid(intake_at, now):
        return Needed.INTAKE
    latest = intake_at if answered_at is None else max(intake_at, answered_at)
    return Needed.NOTHING if is_fresh(latest, now) else Needed.RECHECK
