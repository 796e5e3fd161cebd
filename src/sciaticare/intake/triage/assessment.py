"""Triage one person (docs/clinical.md).

Given an age, how many weeks ago the episode began, and a yes/no answer to every question in
``QUESTIONS``, ``assess`` checks the input and returns a ``Triage``: the highest level any answer
reaches, the stable reason codes that led to it, the massage precautions the therapist must
follow, and plain advice for the person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import cast

from sciaticare.core.translation import gettext, gettext_noop
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.questions import QUESTIONS, REQUIRED_CODES
from sciaticare.intake.triage.reasons import COMBINATIONS, REASONS

__all__ = [
    "AGE_MAX",
    "AGE_MIN",
    "ONSET_WEEKS_MAX",
    "ONSET_WEEKS_MIN",
    "FieldError",
    "InvalidTriageInput",
    "Triage",
    "advice",
    "assess",
    "check_input",
]


# --- Advice ---------------------------------------------------------------------------------

# What each level means for the person (docs/clinical.md, "Triage levels"). The words are
# English, marked for translation; ``advice`` translates them into the language being answered in.
_LEVEL_ADVICE: Mapping[Level, str] = MappingProxyType(
    {
        Level.EMERGENCY: gettext_noop(
            "Go to an emergency department now (or call the emergency number)."
        ),
        Level.URGENT: gettext_noop("See a doctor today. No massage until a doctor has seen you."),
        Level.SOON: gettext_noop("See a doctor within about two weeks, before massage."),
        Level.OK: gettext_noop("Massage is a reasonable option."),
    }
)
_OK_PRECAUTIONS = gettext_noop("Your therapist will follow the precautions listed.")
# The honest claim (ACP 2017; NICE NG59 1.2.7; Furlan et al., Cochrane 2015; docs/clinical.md).
_HONEST_WORDING = gettext_noop(
    "Massage may give short-term relief, and works best alongside exercise. "
    "It does not treat the cause of nerve-root compression, "
    "and it never replaces a medical assessment."
)
# NHS DVT guidance: one-sided leg swelling with breathlessness or chest pain.
_PE_ADVICE = gettext_noop(
    "A swollen leg together with breathlessness, chest pain, a racing heart or coughing blood "
    "can mean a possible pulmonary embolism (a blood clot in the lung). This is an emergency."
)
# NICE NG234: who to contact for each combination.
_METASTASES_ADVICE = gettext_noop(
    "Because you have had cancer, contact your GP or your cancer team today about this back pain."
)
_MSCC_ADVICE = gettext_noop(
    "Because you have had cancer, this could be pressure on the spinal cord: call your cancer "
    "team's acute oncology (MSCC) line immediately, or go to an emergency department now."
)


# --- Validation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    """One problem with the input; ``field`` is "age", "onset_weeks", "answers.<code>" etc."""

    field: str
    message: str


class InvalidTriageInput(ValueError):
    """Raised by ``assess`` with every problem ``check_input`` found (the API's 422)."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


AGE_MIN, AGE_MAX = 1, 120
ONSET_WEEKS_MIN, ONSET_WEEKS_MAX = 0, 520


def check_input(age: object, onset_weeks: object, answers: object) -> list[FieldError]:
    """Every problem with an assessment's input, in a stable order; empty when it is valid.

    Collects all problems rather than stopping at the first, so a form or a 422 can show them
    together. ``bool`` is rejected for age and onset even though Python treats it as an int:
    ``true`` is never a meaningful age.
    """
    errors: list[FieldError] = []

    if not isinstance(age, int) or isinstance(age, bool):
        errors.append(FieldError("age", "must be a whole number"))
    elif not AGE_MIN <= age <= AGE_MAX:
        errors.append(FieldError("age", f"must be between {AGE_MIN} and {AGE_MAX}"))

    if not isinstance(onset_weeks, int | float) or isinstance(onset_weeks, bool):
        errors.append(FieldError("onset_weeks", "must be a number"))
    # NaN fails this comparison too, so it is reported as out of range.
    elif not ONSET_WEEKS_MIN <= onset_weeks <= ONSET_WEEKS_MAX:
        errors.append(
            FieldError("onset_weeks", f"must be between {ONSET_WEEKS_MIN} and {ONSET_WEEKS_MAX}")
        )

    if not isinstance(answers, Mapping):
        errors.append(FieldError("answers", "must map each question code to true or false"))
        return errors

    # Known codes in QUESTIONS order first, then unknown ones in the order given.
    for question in QUESTIONS:
        if question.code not in answers:
            errors.append(FieldError(f"answers.{question.code}", "required"))
        elif not isinstance(answers[question.code], bool):
            errors.append(FieldError(f"answers.{question.code}", "must be true or false"))
    for key in answers:
        if key not in REQUIRED_CODES:
            errors.append(FieldError(f"answers.{key}", "unknown question code"))
    return errors


# --- Assessment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Triage:
    """The result: level, reason codes (keys of REASONS), precaution codes, and advice (in the
    language being answered in when ``assess`` ran)."""

    level: Level
    reasons: tuple[str, ...]
    precautions: tuple[str, ...]
    advice: str


def assess(age: object, onset_weeks: object, answers: object) -> Triage:
    """Triage one person. Raises ``InvalidTriageInput`` listing every problem with the input.

    The highest level any reason reaches wins; ``Level.OK`` when none fires. Reasons are the
    question codes that fired, in ``QUESTIONS`` order, then the derived ones, then the
    combinations (``COMBINATIONS``), which are added, never substituted. Precautions fire
    from their answers whatever the level (the therapist is told even when booking is
    blocked), each once, in ``PRECAUTIONS`` order.
    """
    errors = check_input(age, onset_weeks, answers)
    if errors:
        raise InvalidTriageInput(errors)
    # check_input has proved these types.
    age_ = cast(int, age)
    onset = cast(float, onset_weeks)
    yes = cast(Mapping[str, bool], answers)

    reasons = [q.reason for q in QUESTIONS if q.reason is not None and yes[q.code]]
    if age_ > 50 and yes["first_episode"]:
        reasons.append("age_over_50_first_episode")
    if age_ < 16:
        reasons.append("age_under_16")
    if onset >= 6 and yes["not_improving"]:
        reasons.append("no_improvement_6_weeks")
    reasons += [
        code
        for code, (needed, any_of) in COMBINATIONS.items()
        if yes[needed] and any(yes[other] for other in any_of)
    ]

    fired = {q.precaution for q in QUESTIONS if q.precaution is not None and yes[q.code]}
    precautions = tuple(code for code in PRECAUTIONS if code in fired)

    level = max((REASONS[code].level for code in reasons), default=Level.OK)
    return Triage(
        level=level,
        reasons=tuple(reasons),
        precautions=precautions,
        advice=advice(level, reasons, has_precautions=bool(precautions)),
    )


def advice(level: Level, reasons: Iterable[str], *, has_precautions: bool) -> str:
    """The advice for a result, in the language being answered in (core.translation): what its
    level means, the pulmonary embolism warning when a swollen leg comes with chest symptoms,
    who to contact after cancer, and for ``ok`` the precautions and the honest wording.

    It needs only the result (level, reason codes, whether there are precautions), so a saved
    intake's advice is said again in its reader's language (``Intake.advice``).
    """
    fired = frozenset(reasons)
    parts = [_LEVEL_ADVICE[level]]
    # Both questions give their own reason code, so the reasons say whether both were "yes".
    if {"chest_symptoms", "calf_swelling"} <= fired:
        parts.append(_PE_ADVICE)
    if "possible_spinal_cord_compression" in fired:
        parts.append(_MSCC_ADVICE)
    elif "possible_spinal_metastases" in fired:
        parts.append(_METASTASES_ADVICE)
    if level is Level.OK:
        if has_precautions:
            parts.append(_OK_PRECAUTIONS)
        parts.append(_HONEST_WORDING)
    return " ".join(gettext(part) for part in parts)
