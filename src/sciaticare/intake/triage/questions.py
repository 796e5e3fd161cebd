"""The yes/no questions of the symptom check, the intake and the API, in the table's order and
wording (docs/clinical.md, "The questions, by code")."""

from __future__ import annotations

from dataclasses import dataclass

from sciaticare.core.translation import gettext_noop

__all__ = ["QUESTIONS", "REQUIRED_CODES", "Question"]


@dataclass(frozen=True)
class Question:
    """One yes/no question of the symptom check (docs/clinical.md, "The questions, by code").

    ``text`` is the English wording, marked for translation: pages show it translated
    (``{% translate question.text %}``, ``gettext(question.text)``). ``reason`` is the reason code a "yes" gives (always the question's own code), or None when
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
        gettext_noop("Numbness or a strange feeling around your bottom, genitals or inner thighs?"),
    ),
    _q(
        "bladder_change",
        gettext_noop("New trouble passing urine, not feeling it flow, or leaking?"),
    ),
    _q(
        "bowel_change",
        gettext_noop("New loss of bowel control, or can't feel when you need to go?"),
    ),
    _q("sexual_dysfunction", gettext_noop("New loss of feeling or function in your genitals?")),
    # "New": long-standing, unchanged symptoms in both legs are a reason to see a GP, not A&E.
    _q(
        "both_legs",
        gettext_noop(
            "New pain, numbness or weakness in both legs (it started, or spread to the second leg, "
            "in the last few weeks)?"
        ),
    ),
    _q(
        "worsening_weakness",
        gettext_noop("Leg weakness that is getting worse quickly, or unsteady walking?"),
    ),
    _q("chest_symptoms", gettext_noop("Breathless, chest pain, a racing heart or coughing blood?")),
    _q(
        "calf_swelling",
        gettext_noop("One calf or thigh swollen, warm, red or tender?"),
        precaution="no_massage_affected_leg",
    ),
    _q("fever", gettext_noop("Fever, chills or feeling generally unwell with the back pain?")),
    _q(
        "infection_risk",
        gettext_noop(
            "Recent infection, injecting drugs, HIV, chemotherapy or a weakened immune system?"
        ),
    ),
    _q("foot_drop", gettext_noop("Can't lift your foot or walk on your heels or toes?")),
    _q("major_trauma", gettext_noop("Did the pain start after a bad fall or accident?")),
    _q("cancer_history", gettext_noop("Have you ever had cancer?")),
    _q("weight_loss", gettext_noop("Lost weight recently without trying?")),
    _q(
        "night_pain",
        gettext_noop("Severe pain that doesn't ease lying down, or that wakes you at night?"),
    ),
    _q(
        "osteoporosis_or_steroids",
        gettext_noop("Osteoporosis, or steroid tablets for months?"),
        precaution="gentle_pressure",
    ),
    _q(
        "anticoagulants",
        gettext_noop("Blood thinners, or a bleeding disorder?"),
        reason=False,
        precaution="no_deep_pressure",
    ),
    _q(
        "pregnant", gettext_noop("Are you pregnant?"), reason=False, precaution="check_with_midwife"
    ),
    _q(
        "recent_surgery",
        gettext_noop("Surgery in the last 3 months?"),
        reason=False,
        precaution="avoid_surgical_site",
    ),
    _q(
        "skin_problem",
        gettext_noop("Wounds, burns, rashes or infection where it hurts?"),
        reason=False,
        precaution="avoid_affected_skin",
    ),
    # The two answers after the table: they give nothing alone, only derived reasons.
    _q(
        "first_episode",
        gettext_noop("Is this your first ever episode of back pain or sciatica?"),
        reason=False,
    ),
    # Worded positively: a "yes" means no improvement at all (it gives no_improvement_6_weeks).
    _q(
        "not_improving",
        gettext_noop(
            "Has it stayed the same or got worse since it began, with no improvement at all?"
        ),
        reason=False,
    ),
)

# Every code must be answered (docs/clinical.md: missing or unknown codes are a 422).
REQUIRED_CODES: frozenset[str] = frozenset(q.code for q in QUESTIONS)
