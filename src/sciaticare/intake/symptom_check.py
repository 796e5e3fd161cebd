"""The public symptom check, in four screens of questions. Pure, no Django.

The screens are derived from the engine's own data (a question's reason and its level in
``REASONS``), so a question added to the table lands on the right screen by itself:

1. ``emergency``: every question whose "yes" alone gives ``emergency`` (the cauda equina signs
   and the chest symptoms; 7 questions).
2. ``urgent``: every question whose "yes" alone gives ``urgent`` (a swollen calf, fever,
   infection risk, foot drop, a bad fall; 5).
3. ``health``: the rest of the table: the ``soon`` questions, then those that only add a
   massage precaution (8).
4. ``episode``: age, weeks since onset, and the questions that give nothing alone and only feed
   the derived reasons (first episode, no improvement; 4 answers).

Within a screen the questions keep the table's order (docs/clinical.md, "The questions, by
code"); the screens one after another are ``STEPS``, which is also the order of the
one-question-at-a-time mode (``ONE_AT_A_TIME``: a screen per question, for people who prefer
one decision per page).

After each screen the engine is asked whether the answers so far already reach ``emergency``
(one question, or a combination across screens such as cancer history with foot drop); if so
the check ends there with the emergency result, even when other questions on that screen are
still unanswered: someone who said "yes" to saddle numbness is told to go now, not to finish
the page. Nothing asked later could lower the level. Otherwise every question must be answered
explicitly (silence is never "no"); a screen of yes/no questions also offers "None of these
apply", an explicit "no" to each question on it not answered yet (a "yes" chosen stands), so
that a person with none of the signs answers a screen in one tap, having read it. A screen with any answer missing or out of range is shown
again naming each one, and a check is only assessed when every screen is answered. Answers
travel with the form on every screen and are never stored.
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
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES, Question
from sciaticare.intake.triage.reasons import REASONS


@dataclass(frozen=True)
class Screen:
    """One page of the check: its name, its title (English, marked for translation) and the
    answers it asks for, in order (question codes, "age", "onset_weeks")."""

    name: str
    title: str
    steps: tuple[str, ...]


def _level_alone(question: Question) -> Level | None:
    """The level a "yes" to this question gives by itself (None: no reason of its own)."""
    return REASONS[question.reason].level if question.reason is not None else None


#: The questions whose "yes" alone is an emergency: the first screen, and the answers the
#: page's script warns about the moment they are chosen.
EMERGENCY_QUESTIONS: tuple[str, ...] = tuple(
    q.code for q in QUESTIONS if _level_alone(q) is Level.EMERGENCY
)
_URGENT_QUESTIONS = tuple(q.code for q in QUESTIONS if _level_alone(q) is Level.URGENT)
# A question with no reason and no precaution only feeds a derived reason (with age or onset).
_EPISODE_QUESTIONS = tuple(q.code for q in QUESTIONS if q.reason is None and q.precaution is None)
_HEALTH_QUESTIONS = tuple(
    q.code
    for q in QUESTIONS
    if q.code not in {*EMERGENCY_QUESTIONS, *_URGENT_QUESTIONS, *_EPISODE_QUESTIONS}
)

SCREENS: tuple[Screen, ...] = (
    Screen("emergency", gettext_noop("Signs that need care at once"), EMERGENCY_QUESTIONS),
    Screen("urgent", gettext_noop("Signs a doctor should see today"), _URGENT_QUESTIONS),
    Screen("health", gettext_noop("Your health and medicines"), _HEALTH_QUESTIONS),
    Screen(
        "episode",
        gettext_noop("This episode of pain"),
        ("age", "onset_weeks", *_EPISODE_QUESTIONS),
    ),
)
#: Every answer the check asks for, in the order asked.
STEPS: tuple[str, ...] = tuple(step for screen in SCREENS for step in screen.steps)
#: The same check, one answer per screen.
ONE_AT_A_TIME: tuple[Screen, ...] = tuple(
    Screen(screen.name, screen.title, (step,)) for screen in SCREENS for step in screen.steps
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
        """The answer as the form carries it ("" when not answered)."""
        if step == "age":
            return "" if self.age is None else str(self.age)
        if step == "onset_weeks":
            if self.onset_weeks is None:
                return ""
            # Exactly as read: a rounded 5.9999999 would become 6, and cross a threshold.
            weeks = self.onset_weeks
            return str(int(weeks)) if weeks.is_integer() else repr(weeks)
        if step in self.answers:
            return "yes" if self.answers[step] else "no"
        return ""


def parse(data: Mapping[str, str]) -> CheckState:
    """Read the answers carried by the form; anything malformed or out of range is simply not
    answered yet."""
    state = CheckState(answers={})
    for code in QUESTION_TEXT:
        if data.get(code) in ("yes", "no"):
            state.answers[code] = data[code] == "yes"
    if answer_error("age", data.get("age")) is None:
        state.age = int(_number(data.get("age"), integer=True) or 0)
    if answer_error("onset_weeks", data.get("onset_weeks")) is None:
        state.onset_weeks = float(_number(data.get("onset_weeks"), integer=False) or 0)
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
    """Why the answer given to this step cannot be taken, or None (in the language being
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
        # NaN fails this comparison too.
        if not low <= value <= high:
            return gettext("Please enter a number from %(low)s to %(high)s.") % {
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
        return None
    if raw not in ("yes", "no"):
        return gettext("Please answer yes or no.")
    return None


def is_complete(state: CheckState) -> bool:
    """Whether every answer of the check was given (one ended early by an emergency was not)."""
    return (
        state.age is not None
        and state.onset_weeks is not None
        and state.answers.keys() >= REQUIRED_CODES
    )


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


# --- Moving through the screens -------------------------------------------------------------


@dataclass(frozen=True)
class Show:
    """Show screen ``index`` with the answers so far; ``errors`` names each of its answers that
    is missing or cannot be taken (step → message, in the screen's order)."""

    index: int
    state: CheckState
    errors: Mapping[str, str]


@dataclass(frozen=True)
class Finish:
    """The check is over: show ``triage`` (an emergency found early, or every answer given)."""

    state: CheckState
    triage: Triage


def screen_index(screens: tuple[Screen, ...], raw: str | None) -> int:
    """The screen a form says it was on; a missing, malformed or tampered number is the
    nearest real screen (the first for anything unreadable)."""
    try:
        index = int(raw or 0)
    except ValueError:
        return 0
    return min(max(index, 0), len(screens) - 1)


def errors_on(screen: Screen, data: Mapping[str, str]) -> dict[str, str]:
    """Each of the screen's answers the form lacks or cannot take, with why."""
    return {
        step: error
        for step in screen.steps
        if (error := answer_error(step, data.get(step))) is not None
    }


def offers_none_of_these(screen: Screen) -> bool:
    """Whether the screen has a "None of these apply" button: every answer it asks is yes/no,
    and there is more than one (a screen of one question has its own "No")."""
    return len(screen.steps) > 1 and all(step in QUESTION_TEXT for step in screen.steps)


def none_of_these(screen: Screen, data: Mapping[str, str]) -> dict[str, str]:
    """The form after "None of these apply": "no" to each of the screen's questions left
    unanswered. A "yes" already chosen stands (the safe side: a tap on the button after a
    "yes" never takes the "yes" back, and the engine then decides as for Next)."""
    answered = dict(data)
    for step in screen.steps:
        if answered.get(step) not in ("yes", "no"):
            answered[step] = "no"
    return answered


def advance(
    screens: tuple[Screen, ...], data: Mapping[str, str], *, back: bool, none: bool = False
) -> Show | Finish:
    """What follows a screen's form (``data``: its answers, the carried ones and ``step``).

    Back keeps every answer given. Forward ends the check at once when the
    answers so far reach ``emergency``; otherwise stays on the screen while any answer is
    missing, then moves to the next screen; after the last, assesses only if every screen is
    answered, else shows the first screen that is not (a form replayed or tampered with).
    ``none``: the screen's "None of these apply" (``none_of_these``), on a screen that offers it.
    """
    index = screen_index(screens, data.get("step"))
    if none and not back and offers_none_of_these(screens[index]):
        data = none_of_these(screens[index], data)
    state = parse(data)
    if back:
        return Show(max(index - 1, 0), state, {})
    if reaches_emergency(state):
        return Finish(state, result(state))
    errors = errors_on(screens[index], data)
    if errors:
        return Show(index, state, errors)
    if index < len(screens) - 1:
        return Show(index + 1, state, {})
    for earlier, screen in enumerate(screens):
        if errors := errors_on(screen, data):
            return Show(earlier, state, errors)
    return Finish(state, result(state))


def carried(screen: Screen, state: CheckState) -> list[tuple[str, str]]:
    """The answers the screen's form carries in hidden fields: all given so far, except the
    screen's own (its inputs send those)."""
    return [
        (step, state.value_of(step))
        for step in STEPS
        if step not in screen.steps and state.value_of(step) != ""
    ]
