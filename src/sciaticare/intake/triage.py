"""Red-flag triage for a person with back pain or sciatica who is thinking about massage.

This is a pure rules engine (stdlib only, no Django): the symptom check pages, the intake and
the API all feed it the same answers and show what it returns. Given an age, how many weeks ago
the episode began, and a yes/no answer to every question in ``QUESTIONS``, ``assess`` returns a
``Triage``: the highest level any answer reaches, the stable reason codes that led to it, the
massage precautions the therapist must follow, and plain advice for the person.

It screens and informs; it never diagnoses. It sends people to clinicians.

Everything clinical here is written down, with its sources, in the project's clinical reference
``docs/clinical.md``: the triage levels, the question codes, the derived reasons and the two
combinations, the massage precautions, the episode phases (ACP 2017) and the honest wording
about massage (ACP 2017; NICE NG59 1.2.7; Furlan et al., Cochrane 2015).

Each ``Reason`` and ``Precaution`` names its own source.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, cast

__all__ = [
    "COMBINATIONS",
    "PRECAUTIONS",
    "QUESTIONS",
    "REASONS",
    "REQUIRED_CODES",
    "FieldError",
    "InvalidTriageInput",
    "Level",
    "Phase",
    "Precaution",
    "Question",
    "Reason",
    "Triage",
    "assess",
    "check_input",
    "episode_phase",
]


class Level(enum.IntEnum):
    """Triage level; an IntEnum so that "the highest level wins" is plain ``max()``."""

    OK = 0
    SOON = 1
    URGENT = 2
    EMERGENCY = 3

    @property
    def code(self) -> str:
        """Stable lower-case code used in the API and the database: "ok", "soon", ..."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Level:
        """The level for a code such as "urgent"; ``ValueError`` for anything else."""
        for level in cls:
            if level.code == code:
                return level
        raise ValueError(f"unknown triage level code: {code!r}")


# --- Questions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One yes/no question of the symptom check (docs/clinical.md, "The questions, by code").

    ``reason`` is the reason code a "yes" gives (always the question's own code), or None when
    the answer only adds a precaution or only feeds a derived reason. ``precaution`` is the
    precaution code a "yes" gives, or None.
    """

    code: str
    text: str
    reason: str | None = None
    precaution: str | None = None


def _q(code: str, text: str, *, reason: bool = True, precaution: str | None = None) -> Question:
    return Question(code=code, text=text, reason=code if reason else None, precaution=precaution)


# Order and wording are the table's: the public pages and the API schema are built from this.
QUESTIONS: tuple[Question, ...] = (
    _q(
        "saddle_numbness",
        "Numbness or a strange feeling around your bottom, genitals or inner thighs?",
    ),
    _q("bladder_change", "New trouble passing urine, not feeling it flow, or leaking?"),
    _q("bowel_change", "New loss of bowel control, or can't feel when you need to go?"),
    _q("sexual_dysfunction", "New loss of feeling or function in your genitals?"),
    # "New": long-standing, unchanged symptoms in both legs are a reason to see a GP, not A&E.
    _q(
        "both_legs",
        "New pain, numbness or weakness in both legs (it started, or spread to the second leg, "
        "in the last few weeks)?",
    ),
    _q("worsening_weakness", "Leg weakness that is getting worse quickly, or unsteady walking?"),
    _q("chest_symptoms", "Breathless, chest pain, a racing heart or coughing blood?"),
    _q(
        "calf_swelling",
        "One calf or thigh swollen, warm, red or tender?",
        precaution="no_massage_affected_leg",
    ),
    _q("fever", "Fever, chills or feeling generally unwell with the back pain?"),
    _q(
        "infection_risk",
        "Recent infection, injecting drugs, HIV, chemotherapy or a weakened immune system?",
    ),
    _q("foot_drop", "Can't lift your foot or walk on your heels or toes?"),
    _q("major_trauma", "Did the pain start after a bad fall or accident?"),
    _q("cancer_history", "Have you ever had cancer?"),
    _q("weight_loss", "Lost weight recently without trying?"),
    _q("night_pain", "Severe pain that doesn't ease lying down, or that wakes you at night?"),
    _q(
        "osteoporosis_or_steroids",
        "Osteoporosis, or steroid tablets for months?",
        precaution="gentle_pressure",
    ),
    _q(
        "anticoagulants",
        "Blood thinners, or a bleeding disorder?",
        reason=False,
        precaution="no_deep_pressure",
    ),
    _q("pregnant", "Are you pregnant?", reason=False, precaution="check_with_midwife"),
    _q(
        "recent_surgery",
        "Surgery in the last 3 months?",
        reason=False,
        precaution="avoid_surgical_site",
    ),
    _q(
        "skin_problem",
        "Wounds, burns, rashes or infection where it hurts?",
        reason=False,
        precaution="avoid_affected_skin",
    ),
    # The two answers after the table: they give nothing alone, only derived reasons.
    _q(
        "first_episode",
        "Is this your first ever episode of back pain or sciatica?",
        reason=False,
    ),
    # Worded positively: a "yes" means no improvement at all (it gives no_improvement_6_weeks).
    _q(
        "not_improving",
        "Has it stayed the same or got worse since it began, with no improvement at all?",
        reason=False,
    ),
)

# Every code must be answered (docs/clinical.md: missing or unknown codes are a 422).
REQUIRED_CODES: frozenset[str] = frozenset(q.code for q in QUESTIONS)


# --- Reasons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a result reached its level: plain words for the person, clinical for the therapist."""

    code: str
    level: Level
    plain: str
    clinical: str
    source: str


_CES = "NICE CKS Sciatica; BMJ Best Practice (cauda equina); UK red-flag pathways"
_CES_PLAIN_TAIL = (
    "This can be a sign of cauda equina syndrome, which needs emergency care. "
    "Go to an emergency department now."
)
_SOON_SOURCE = "UK community red-flag sheet 2023; NICE CKS Sciatica"
_NG234 = "NICE NG234 (2023), spinal metastases and MSCC; Downie et al., BMJ 2013"
# The individual "urgent" items other than DVT rest on the red-flag guidance as a whole
# (docs/clinical.md, "Urgent").
_URGENT_SOURCE = "NICE CKS Sciatica (red flags); Finucane et al., JOSPT 2020 (red flags)"


def _reasons(*reasons: Reason) -> Mapping[str, Reason]:
    return MappingProxyType({r.code: r for r in reasons})


REASONS: Mapping[str, Reason] = _reasons(
    # Emergency: suspected cauda equina syndrome (docs/clinical.md, "Emergency").
    Reason(
        "saddle_numbness",
        Level.EMERGENCY,
        "Numbness or a strange feeling around your bottom, genitals or inner thighs. "
        + _CES_PLAIN_TAIL,
        "Saddle numbness or altered sensation (perianal, genital, inner thighs): "
        "suspected cauda equina syndrome.",
        _CES,
    ),
    Reason(
        "bladder_change",
        Level.EMERGENCY,
        "New trouble passing urine, not feeling it flow, or leaking. " + _CES_PLAIN_TAIL,
        "New difficulty passing urine, reduced sensation of urine flow or loss of bladder "
        "control: suspected cauda equina syndrome.",
        _CES,
    ),
    Reason(
        "bowel_change",
        Level.EMERGENCY,
        "New loss of bowel control, or not feeling when you need to go. " + _CES_PLAIN_TAIL,
        "New loss of bowel control or loss of the sense of rectal fullness: "
        "suspected cauda equina syndrome.",
        _CES,
    ),
    Reason(
        "sexual_dysfunction",
        Level.EMERGENCY,
        "New loss of feeling or function in your genitals. " + _CES_PLAIN_TAIL,
        "New sexual dysfunction (e.g. loss of genital sensation): suspected cauda equina syndrome.",
        _CES,
    ),
    Reason(
        "both_legs",
        Level.EMERGENCY,
        "New pain, numbness or weakness in both legs. " + _CES_PLAIN_TAIL,
        "New bilateral sciatica, numbness or weakness: suspected cauda equina syndrome.",
        _CES,
    ),
    Reason(
        "worsening_weakness",
        Level.EMERGENCY,
        "Leg weakness that is getting worse quickly, or unsteady walking. " + _CES_PLAIN_TAIL,
        "Rapidly worsening leg weakness, or unsteady gait with weakness at several levels: "
        "suspected cauda equina syndrome.",
        _CES,
    ),
    Reason(
        "chest_symptoms",
        Level.EMERGENCY,
        "Breathlessness, chest pain, a racing heart or coughing blood need emergency care. "
        "Go to an emergency department now, or call the emergency number.",
        "Breathlessness, chest pain, tachycardia or haemoptysis: emergency. With unilateral "
        "leg swelling or calf pain, possible pulmonary embolism.",
        "NHS DVT guidance",
    ),
    # Urgent: see a doctor today (docs/clinical.md, "Urgent").
    Reason(
        "calf_swelling",
        Level.URGENT,
        "A swollen, warm, red or tender calf or thigh can be a blood clot in the leg (deep vein "
        "thrombosis). See a doctor today, and have no massage on that leg.",
        "Pain, swelling, warmth or redness in one calf or thigh: possible deep vein thrombosis. "
        "Massage of that leg is strictly contraindicated.",
        "UCLH DVT patient page",
    ),
    Reason(
        "fever",
        Level.URGENT,
        "Fever, chills or feeling unwell with back pain can be a sign of an infection in the "
        "spine. See a doctor today.",
        "Fever or systemic illness with back pain: possible spinal infection.",
        _URGENT_SOURCE,
    ),
    Reason(
        "infection_risk",
        Level.URGENT,
        "With a recent infection, injecting drugs or a weakened immune system, back pain can be "
        "a sign of an infection in the spine. See a doctor today.",
        "Back pain with recent infection, IV drug use or immunosuppression (HIV, chemotherapy, "
        "long-term steroids): possible spinal infection.",
        _URGENT_SOURCE,
    ),
    Reason(
        "foot_drop",
        Level.URGENT,
        "Not being able to lift your foot, or walk on your heels or toes, is new weakness that "
        "a doctor should see today.",
        "New foot drop or marked unilateral leg weakness (cannot dorsiflex, heel- or toe-walk).",
        _URGENT_SOURCE,
    ),
    Reason(
        "major_trauma",
        Level.URGENT,
        "Pain that began after a bad fall or accident could mean a broken bone. "
        "See a doctor today.",
        "Major trauma (fall from height, road traffic collision) before onset: possible fracture.",
        _URGENT_SOURCE,
    ),
    # Soon: see a doctor within about two weeks, before massage (docs/clinical.md, "Soon").
    Reason(
        "cancer_history",
        Level.SOON,
        "You have had cancer before. New back pain after cancer should be checked by a doctor "
        "within about two weeks, before massage.",
        "Past history of cancer with new back pain (the one useful cancer predictor).",
        "Downie et al., BMJ 2013; NICE CKS Sciatica",
    ),
    Reason(
        "weight_loss",
        Level.SOON,
        "Losing weight without trying should be checked by a doctor within about two weeks, "
        "before massage.",
        "Unexplained weight loss.",
        _SOON_SOURCE,
    ),
    Reason(
        "night_pain",
        Level.SOON,
        "Severe pain that doesn't ease lying down, or that wakes you at night, should be "
        "checked by a doctor within about two weeks, before massage.",
        "Severe pain not eased by lying down, or night pain that wakes the person.",
        _SOON_SOURCE,
    ),
    Reason(
        "osteoporosis_or_steroids",
        Level.SOON,
        "With osteoporosis or long-term steroid tablets, new back pain could be a broken bone. "
        "See a doctor within about two weeks, before massage.",
        "Known osteoporosis or long-term steroid use, with new back pain: possible fracture.",
        _SOON_SOURCE,
    ),
    # Derived from age, onset, first_episode and not_improving (docs/clinical.md, "Derived
    # reasons"); all "soon".
    Reason(
        "age_over_50_first_episode",
        Level.SOON,
        "A first ever episode of back pain after the age of 50 should be checked by a doctor "
        "within about two weeks, before massage.",
        # Sources give 50 to 60; the product uses 50 (a decision, docs/clinical.md).
        "First ever episode of back pain at age over 50 (threshold varies 50-60 between sources).",
        _SOON_SOURCE,
    ),
    Reason(
        "age_under_16",
        Level.SOON,
        "Back pain under the age of 16 should be checked by a doctor within about two weeks, "
        "before massage.",
        "Back pain at age under 16.",
        _SOON_SOURCE,
    ),
    Reason(
        "no_improvement_6_weeks",
        Level.SOON,
        "Pain that has not improved at all after 6 weeks should be checked by a doctor within "
        "about two weeks, before massage.",
        "No improvement at all after 6 weeks or more (guidance: 4-6 weeks).",
        _SOON_SOURCE,
    ),
    # Combinations (docs/clinical.md, "Combinations"): single flags predict little, these pairs
    # do. Each is added to the question codes that fired.
    Reason(
        "possible_spinal_metastases",
        Level.URGENT,
        "You have had cancer, and you have also lost weight without trying or have severe "
        "or night pain. Together these need checking soon: contact your GP or your cancer "
        "team today. No massage until a doctor has seen you.",
        "Past history of cancer with unexplained weight loss or night pain: possible spinal "
        "metastases. NICE NG234 asks for an MRI within one week.",
        _NG234,
    ),
    Reason(
        "possible_spinal_cord_compression",
        Level.EMERGENCY,
        "You have had cancer, and you also have weakness or new symptoms in your legs. "
        "Together these can be a sign of pressure on the spinal cord, which needs emergency "
        "care: contact your cancer team's acute oncology service now, or go to an emergency "
        "department now.",
        "Past history of cancer with neurological symptoms (foot drop, worsening weakness or "
        "new bilateral symptoms): possible metastatic spinal cord compression. NICE NG234: "
        "acute oncology / MSCC team immediately, MRI within 24 hours.",
        _NG234,
    ),
)

# Each combination: the question that must be "yes", and the others of which at least one must be.
COMBINATIONS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType(
    {
        "possible_spinal_metastases": ("cancer_history", ("weight_loss", "night_pain")),
        "possible_spinal_cord_compression": (
            "cancer_history",
            ("foot_drop", "worsening_weakness", "both_legs"),
        ),
    }
)


# --- Precautions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Precaution:
    """What the therapist must do differently; the level is unchanged by a precaution."""

    code: str
    plain: str
    clinical: str
    source: str


# The attribution to these lists is the product's reading, pending confirmation (docs/clinical.md).
_MASSAGE_SOURCE = "NCCIH; NIH patient information; Mayo-style contraindication lists"

# Order here is the fixed order precautions are listed in a result (the table's order).
PRECAUTIONS: Mapping[str, Precaution] = MappingProxyType(
    {
        p.code: p
        for p in (
            Precaution(
                "no_massage_affected_leg",
                "No massage on the swollen or painful leg.",
                "Possible deep vein thrombosis: do not massage the affected leg "
                "(strict contraindication).",
                "UCLH DVT patient page",
            ),
            Precaution(
                "gentle_pressure",
                "Gentle pressure only.",
                "Osteoporosis or long-term steroid use: gentle pressure only.",
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "no_deep_pressure",
                "No deep or forceful pressure.",
                "Anticoagulants, bleeding disorder or low platelets: no deep or forceful pressure.",
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "check_with_midwife",
                "Check with your midwife or doctor before massage. You will lie on your side.",
                "Pregnancy: the person checks with their midwife or doctor first; "
                "side-lying positioning.",
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "avoid_surgical_site",
                "No massage over the area of your operation. Ask your surgeon when massage "
                "is safe.",
                "Recent surgery: avoid the surgical site; ask the surgeon about timing "
                "(no agreed window).",
                _MASSAGE_SOURCE,
            ),
            Precaution(
                "avoid_affected_skin",
                "No massage over wounds, burns, rashes or infected skin.",
                "Open or healing wounds, burns, rashes, infection or acute inflammation: "
                "avoid the area.",
                _MASSAGE_SOURCE,
            ),
        )
    }
)


# --- Advice ---------------------------------------------------------------------------------

# What each level means for the person (docs/clinical.md, "Triage levels").
_LEVEL_ADVICE: Mapping[Level, str] = MappingProxyType(
    {
        Level.EMERGENCY: "Go to an emergency department now (or call the emergency number).",
        Level.URGENT: "See a doctor today. No massage until a doctor has seen you.",
        Level.SOON: "See a doctor within about two weeks, before massage.",
        Level.OK: "Massage is a reasonable option.",
    }
)
_OK_PRECAUTIONS = "Your therapist will follow the precautions listed."
# The honest claim (ACP 2017; NICE NG59 1.2.7; Furlan et al., Cochrane 2015; docs/clinical.md).
_HONEST_WORDING = (
    "Massage may give short-term relief, and works best alongside exercise. "
    "It does not treat the cause of nerve-root compression, "
    "and it never replaces a medical assessment."
)
# NHS DVT guidance: one-sided leg swelling with breathlessness or chest pain.
_PE_ADVICE = (
    "A swollen leg together with breathlessness, chest pain, a racing heart or coughing blood "
    "can mean a possible pulmonary embolism (a blood clot in the lung). This is an emergency."
)
# NICE NG234: who to contact for each combination.
_METASTASES_ADVICE = (
    "Because you have had cancer, contact your GP or your cancer team today about this back pain."
)
_MSCC_ADVICE = (
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
    """The result: level, reason codes (keys of REASONS), precaution codes, and advice."""

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
        advice=_advice(level, yes, tuple(reasons), has_precautions=bool(precautions)),
    )


def _advice(
    level: Level, yes: Mapping[str, bool], reasons: tuple[str, ...], *, has_precautions: bool
) -> str:
    parts = [_LEVEL_ADVICE[level]]
    if yes["chest_symptoms"] and yes["calf_swelling"]:
        parts.append(_PE_ADVICE)
    if "possible_spinal_cord_compression" in reasons:
        parts.append(_MSCC_ADVICE)
    elif "possible_spinal_metastases" in reasons:
        parts.append(_METASTASES_ADVICE)
    if level is Level.OK:
        if has_precautions:
            parts.append(_OK_PRECAUTIONS)
        parts.append(_HONEST_WORDING)
    return " ".join(parts)


def most_serious_first(codes: Iterable[str]) -> list[Reason]:
    """The reasons to show a person, emergency ones first, then urgent, then soon; within a
    level in the order ``assess`` gave them. Presentation only: ``Triage.reasons`` (and the
    API's list of codes) keeps the engine's order."""
    reasons = [REASONS[code] for code in codes]
    return sorted(reasons, key=lambda reason: -reason.level)  # sorted() is stable


# --- Episode duration -----------------------------------------------------------------------

Phase = Literal["acute", "subacute", "chronic"]


def episode_phase(onset_weeks: float) -> Phase:
    """The phase of the episode by ACP 2017 (docs/clinical.md), which the product uses.

    - under 4 weeks: "acute";
    - 4 to 12 weeks inclusive: "subacute" (so exactly 4 and exactly 12 are both subacute);
    - over 12 weeks: "chronic".

    UK GP guidance calls under 6 weeks acute; the product follows ACP. Raises ``ValueError``
    for a negative or NaN duration, which has no phase.
    """
    if math.isnan(onset_weeks) or onset_weeks < 0:
        raise ValueError(f"onset_weeks must be 0 or more, got {onset_weeks!r}")
    if onset_weeks < 4:
        return "acute"
    if onset_weeks <= 12:
        return "subacute"
    return "chronic"
