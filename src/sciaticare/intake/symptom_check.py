"""The public symptom check as a sequence of one-question screens. Pure, no Django.

The red-flag questions come first, in the order of docs/clinical.md's question table, so an
emergency is found as early as possible; once the answers so far reach `emergency` (one
question, or a combination such as cancer history with foot drop) the check ends at once:
nothing asked later could lower the level. Age, onset and the two episode questions come last. Answers travel with the
form on every screen and are never stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sciaticare.core.translation import gettext, gettext_noop
from sciaticare.intake.triage.assessment import (
    AGE_MAX,
    AGE_MIN,
    ONSET_WEEKS_MAX,
    ONSET_WEEKS_MIN,
    Triage,
    assess,
)
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES

_EPISODE_QUESTIONS = ("first_episode", "not_improving")
STEPS: tuple[str, ...] = (
    *(q.code for q in QUESTIONS if q.code not in _EPISODE_QUESTIONS),
    "age",
    "onset_weeks",
    *_EPISODE_QUESTIONS,
)
# The questions in English, marked for translation: the page shows them translated.
QUESTION_TEXT: Mapping[str, str] = {q.code: q.text for q in QUESTIONS}
NUMBER_STEPS: Mapping[str, tuple[str, float, float]] = {
    "age": (gettext_noop("How old are you?"), AGE_MIN, AGE_MAX),
    "onset_weeks": (
        gettext_noop("How many weeks ago did this episode begin?"),
        ONSET_WEEKS_MIN,
        ONSET_WEEKS_MAX,
    ),
}
# Placeholders used only when an emergency ends the check early: they derive no reason.
_NEUTRAL_AGE, _NEUTRAL_ONSET = 30, 0.0


@dataclass
class CheckState:
    """What has been answered so far: "yes"/"no" per question code, and the two numbers."""

    answers: dict[str, bool]
    age: int | None = None
    onset_weeks: float | None = None

    def value_of(self, step: str) -> str:
        if step == "age":
            return "" if self.age is None else str(self.age)
        if step == "onset_weeks":
            return "" if self.onset_weeks is None else f"{self.onset_weeks:g}"
        if step in self.answers:
            return "yes" if self.answers[step] else "no"
        return ""


def parse(data: Mapping[str, str]) -> CheckState:
    """Read the answers carried by the form; anything malformed is simply not answered yet."""
    state = CheckState(answers={})
    for code in QUESTION_TEXT:
        if data.get(code) in ("yes", "no"):
            state.answers[code] = data[code] == "yes"
    state.age = _number(data.get("age"), integer=True)  # type: ignore[assignment]
    state.onset_weeks = _number(data.get("onset_weeks"), integer=False)
    return state


def _number(raw: str | None, *, integer: bool) -> float | int | None:
    if raw is None or raw.strip() == "":
        return None
    # A decimal comma is how Spanish (and most of Europe) writes a half: "3,5" weeks is 3.5.
    raw = raw.strip() if integer else raw.strip().replace(",", ".", 1)
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        return None


def answer_error(step: str, raw: str | None) -> str | None:
    """Why the answer given on this screen cannot be taken, or None (in the language being
    answered in)."""
    if step in NUMBER_STEPS:
        _, low, high = NUMBER_STEPS[step]
        value = _number(raw, integer=step == "age")
        if value is None:
            return (
                gettext("Please enter a whole number.")
                if step == "age"
                else gettext("Please enter a number of weeks.")
            )
        if not low <= value <= high:
            return gettext("Please enter a number from %(low)s to %(high)s.") % {
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
        return None
    if raw not in ("yes", "no"):
        return gettext("Please answer yes or no.")
    return None


def reaches_emergency(state: CheckState) -> bool:
    """Whether the answers so far already give `emergency` (unanswered questions count as no).

    Asks the engine itself so that combinations count too; a "yes" never lowers the level, so
    the questions not yet asked cannot change this.
    """
    return result(state).level == Level.EMERGENCY


def result(state: CheckState) -> Triage:
    """The triage for a finished check, or for one ended early by an emergency answer."""
    answers = {code: state.answers.get(code, False) for code in REQUIRED_CODES}
    age = state.age if state.age is not None else _NEUTRAL_AGE
    onset = state.onset_weeks if state.onset_weeks is not None else _NEUTRAL_ONSET
    return assess(age, onset, answers)
