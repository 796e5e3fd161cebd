"""Why a result reaches its level: the reason each question, derived rule or combination gives,
in plain words for the person and clinical words for the therapist, each with its source
(docs/clinical.md, "The questions, by code", "Derived reasons", "Combinations")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sciaticare.core.translation import gettext_noop
from sciaticare.intake.triage.levels import Level

__all__ = ["COMBINATIONS", "REASONS", "Reason", "most_serious_first"]


@dataclass(frozen=True)
class Reason:
    """Why a result reached its level: plain words for the person, clinical for the therapist.

    The words are English, marked for translation (core.translation): a page translates them
    where it shows them (``{% translate reason.plain %}``)."""

    code: str
    level: Level
    plain: str
    clinical: str
    source: str


_CES = gettext_noop("NICE CKS Sciatica; BMJ Best Practice (cauda equina); UK red-flag pathways")
# Every cauda equina reason's plain words end with the same two sentences (written out in full
# in each, so that each is one message to translate; tests/intake/test_triage.py checks them).
CES_PLAIN_TAIL = (
    "This can be a sign of cauda equina syndrome, which needs emergency care. "
    "Go to an emergency department now."
)
_SOON_SOURCE = gettext_noop("UK community red-flag sheet 2023; NICE CKS Sciatica")
_NG234 = gettext_noop("NICE NG234 (2023), spinal metastases and MSCC; Downie et al., BMJ 2013")
# The individual "urgent" items other than DVT rest on the red-flag guidance as a whole
# (docs/clinical.md, "Urgent").
_URGENT_SOURCE = gettext_noop(
    "NICE CKS Sciatica (red flags); Finucane et al., JOSPT 2020 (red flags)"
)


def _reasons(*reasons: Reason) -> Mapping[str, Reason]:
    return MappingProxyType({r.code: r for r in reasons})


REASONS: Mapping[str, Reason] = _reasons(
    # Emergency: suspected cauda equina syndrome (docs/clinical.md, "Emergency").
    Reason(
        "saddle_numbness",
        Level.EMERGENCY,
        gettext_noop(
            "Numbness or a strange feeling around your bottom, genitals or inner thighs. "
            "This can be a sign of cauda equina syndrome, which needs emergency care. "
            "Go to an emergency department now."
        ),
        gettext_noop(
            "Saddle numbness or altered sensation (perianal, genital, inner thighs): "
            "suspected cauda equina syndrome."
        ),
        _CES,
    ),
    Reason(
        "bladder_change",
        Level.EMERGENCY,
        gettext_noop(
            "New trouble passing urine, not feeling it flow, or leaking. "
            "This can be a sign of cauda equina syndrome, which needs emergency care. "
            "Go to an emergency department now."
        ),
        gettext_noop(
            "New difficulty passing urine, reduced sensation of urine flow or loss of bladder "
            "control: suspected cauda equina syndrome."
        ),
        _CES,
    ),
    Reason(
        "bowel_change",
        Level.EMERGENCY,
        gettext_noop(
            "New loss of bowel control, or not feeling when you need to go. "
            "This can be a sign of cauda equina syndrome, which needs emergency care. "
            "Go to an emergency department now."
        ),
        gettext_noop(
            "New loss of bowel control or loss of the sense of rectal fullness: "
            "suspected cauda equina syndrome."
        ),
        _CES,
    ),
    Reason(
        "sexual_dysfunction",
        Level.EMERGENCY,
        gettext_noop(
            "New loss of feeling or function in your genitals. "
            "This can be a sign of cauda equina syndrome, which needs emergency care. "
            "Go to an emergency department now."
        ),
        gettext_noop(
            "New sexual dysfunction (e.g. loss of genital sensation): suspected cauda equina syndrome."
        ),
        _CES,
    ),
    Reason(
        "both_legs",
        Level.EMERGENCY,
        gettext_noop(
            "New pain, numbness or weakness in both legs. "
            "This can be a sign of cauda equina syndrome, which needs emergency care. "
            "Go to an emergency department now."
        ),
        gettext_noop(
            "New bilateral sciatica, numbness or weakness: suspected cauda equina syndrome."
        ),
        _CES,
    ),
    Reason(
        "worsening_weakness",
        Level.EMERGENCY,
        gettext_noop(
            "Leg weakness that is getting worse quickly, or unsteady walking. "
            "This can be a sign of cauda equina syndrome, which needs emergency care. "
            "Go to an emergency department now."
        ),
        gettext_noop(
            "Rapidly worsening leg weakness, or unsteady gait with weakness at several levels: "
            "suspected cauda equina syndrome."
        ),
        _CES,
    ),
    Reason(
        "chest_symptoms",
        Level.EMERGENCY,
        gettext_noop(
            "Breathlessness, chest pain, a racing heart or coughing blood need emergency care. "
            "Go to an emergency department now, or call the emergency number."
        ),
        gettext_noop(
            "Breathlessness, chest pain, tachycardia or haemoptysis: emergency. With unilateral "
            "leg swelling or calf pain, possible pulmonary embolism."
        ),
        gettext_noop("NHS DVT guidance"),
    ),
    # Urgent: see a doctor today (docs/clinical.md, "Urgent").
    Reason(
        "calf_swelling",
        Level.URGENT,
        gettext_noop(
            "A swollen, warm, red or tender calf or thigh can be a blood clot in the leg (deep vein "
            "thrombosis). See a doctor today, and have no massage on that leg."
        ),
        gettext_noop(
            "Pain, swelling, warmth or redness in one calf or thigh: possible deep vein thrombosis. "
            "Massage of that leg is strictly contraindicated."
        ),
        gettext_noop("UCLH DVT patient page"),
    ),
    Reason(
        "fever",
        Level.URGENT,
        gettext_noop(
            "Fever, chills or feeling unwell with back pain can be a sign of an infection in the "
            "spine. See a doctor today."
        ),
        gettext_noop("Fever or systemic illness with back pain: possible spinal infection."),
        _URGENT_SOURCE,
    ),
    Reason(
        "infection_risk",
        Level.URGENT,
        gettext_noop(
            "With a recent infection, injecting drugs or a weakened immune system, back pain can be "
            "a sign of an infection in the spine. See a doctor today."
        ),
        gettext_noop(
            "Back pain with recent infection, IV drug use or immunosuppression (HIV, chemotherapy, "
            "long-term steroids): possible spinal infection."
        ),
        _URGENT_SOURCE,
    ),
    Reason(
        "foot_drop",
        Level.URGENT,
        gettext_noop(
            "Not being able to lift your foot, or walk on your heels or toes, is new weakness that "
            "a doctor should see today."
        ),
        gettext_noop(
            "New foot drop or marked unilateral leg weakness (cannot dorsiflex, heel- or toe-walk)."
        ),
        _URGENT_SOURCE,
    ),
    Reason(
        "major_trauma",
        Level.URGENT,
        gettext_noop(
            "Pain that began after a bad fall or accident could mean a broken bone. "
            "See a doctor today."
        ),
        gettext_noop(
            "Major trauma (fall from height, road traffic collision) before onset: possible fracture."
        ),
        _URGENT_SOURCE,
    ),
    # Soon: see a doctor within about two weeks, before massage (docs/clinical.md, "Soon").
    Reason(
        "cancer_history",
        Level.SOON,
        gettext_noop(
            "You have had cancer before. New back pain after cancer should be checked by a doctor "
            "within about two weeks, before massage."
        ),
        gettext_noop(
            "Past history of cancer with new back pain (the one useful cancer predictor)."
        ),
        gettext_noop("Downie et al., BMJ 2013; NICE CKS Sciatica"),
    ),
    Reason(
        "weight_loss",
        Level.SOON,
        gettext_noop(
            "Losing weight without trying should be checked by a doctor within about two weeks, "
            "before massage."
        ),
        gettext_noop("Unexplained weight loss."),
        _SOON_SOURCE,
    ),
    Reason(
        "night_pain",
        Level.SOON,
        gettext_noop(
            "Severe pain that doesn't ease lying down, or that wakes you at night, should be "
            "checked by a doctor within about two weeks, before massage."
        ),
        gettext_noop("Severe pain not eased by lying down, or night pain that wakes the person."),
        _SOON_SOURCE,
    ),
    Reason(
        "osteoporosis_or_steroids",
        Level.SOON,
        gettext_noop(
            "With osteoporosis or long-term steroid tablets, new back pain could be a broken bone. "
            "See a doctor within about two weeks, before massage."
        ),
        gettext_noop(
            "Known osteoporosis or long-term steroid use, with new back pain: possible fracture."
        ),
        _SOON_SOURCE,
    ),
    # Derived from age, onset, first_episode and not_improving (docs/clinical.md, "Derived
    # reasons"); all "soon".
    Reason(
        "age_over_50_first_episode",
        Level.SOON,
        gettext_noop(
            "A first ever episode of back pain after the age of 50 should be checked by a doctor "
            "within about two weeks, before massage."
        ),
        # Sources give 50 to 60; the product uses 50 (a decision, docs/clinical.md).
        gettext_noop(
            "First ever episode of back pain at age over 50 (threshold varies 50-60 between sources)."
        ),
        _SOON_SOURCE,
    ),
    Reason(
        "age_under_16",
        Level.SOON,
        gettext_noop(
            "Back pain under the age of 16 should be checked by a doctor within about two weeks, "
            "before massage."
        ),
        gettext_noop("Back pain at age under 16."),
        _SOON_SOURCE,
    ),
    Reason(
        "no_improvement_6_weeks",
        Level.SOON,
        gettext_noop(
            "Pain that has not improved at all after 6 weeks should be checked by a doctor within "
            "about two weeks, before massage."
        ),
        gettext_noop("No improvement at all after 6 weeks or more (guidance: 4-6 weeks)."),
        _SOON_SOURCE,
    ),
    # Combinations (docs/clinical.md, "Combinations"): single flags predict little, these pairs
    # do. Each is added to the question codes that fired.
    Reason(
        "possible_spinal_metastases",
        Level.URGENT,
        gettext_noop(
            "You have had cancer, and you have also lost weight without trying or have severe "
            "or night pain. Together these need checking soon: contact your GP or your cancer "
            "team today. No massage until a doctor has seen you."
        ),
        gettext_noop(
            "Past history of cancer with unexplained weight loss or night pain: possible spinal "
            "metastases. NICE NG234 asks for an MRI within one week."
        ),
        _NG234,
    ),
    Reason(
        "possible_spinal_cord_compression",
        Level.EMERGENCY,
        gettext_noop(
            "You have had cancer, and you also have weakness or new symptoms in your legs. "
            "Together these can be a sign of pressure on the spinal cord, which needs emergency "
            "care: contact your cancer team's acute oncology service now, or go to an emergency "
            "department now."
        ),
        gettext_noop(
            "Past history of cancer with neurological symptoms (foot drop, worsening weakness or "
            "new bilateral symptoms): possible metastatic spinal cord compression. NICE NG234: "
            "acute oncology / MSCC team immediately, MRI within 24 hours."
        ),
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


def most_serious_first(codes: Iterable[str]) -> list[Reason]:
    """The reasons to show a person, emergency ones first, then urgent, then soon; within a
    level in the order ``assess`` gave them. Presentation only: ``Triage.reasons`` (and the
    API's list of codes) keeps the engine's order."""
    reasons = [REASONS[code] for code in codes]
    return sorted(reasons, key=lambda reason: -reason.level)  # sorted() is stable
