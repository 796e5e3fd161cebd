"""What the therapist brief computes from an intake: the nerve-root pattern the marked regions
resemble, and suggested focus regions with their rationale. Pure, no Django.

Their words are English, marked for translation: the brief page translates them where it shows
them. Both are *suggestions for a trained therapist*, never a diagnosis (docs/clinical.md, "Where it hurts"). Patterns
come from GPnotebook and emergency-medicine texts; focus suggestions are labelled practitioner
tradition where they come from the trigger-point literature (Travell & Simons), not trials.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sciaticare.core.translation import gettext_noop
from sciaticare.intake.bodymap import REGIONS, SADDLE, areas

PATTERN_SOURCE = gettext_noop("GPnotebook; emergency-medicine texts")
# The regions a massage therapist commonly works for sciatica; practice, not trial evidence
# (docs/clinical.md, "Focus suggestions").
FOCUS_SOURCE = gettext_noop("Common massage-therapy practice for sciatica, not tested in trials")
PIRIFORMIS_SOURCE = gettext_noop(
    "Systematic reviews of piriformis syndrome; no test is proven accurate"
)
TRIGGER_POINT_SOURCE = gettext_noop(
    "Travell & Simons, trigger-point manual: practitioner tradition, not trial evidence"
)


@dataclass(frozen=True)
class Pattern:
    """A nerve-root (or piriformis-like) pattern the marked regions resemble."""

    code: str  # "L4" | "L5" | "S1" | "piriformis"
    label: str
    matched: tuple[str, ...]  # the areas of the map that match it
    description: str
    source: str


@dataclass(frozen=True)
class Focus:
    """A region a therapist may choose to work on, with why."""

    muscles: str
    rationale: str
    source: str
    tradition: bool  # True: practitioner tradition (trigger-point lore), not trial evidence


_ROOTS: tuple[tuple[str, str, frozenset[str], str], ...] = (
    (
        "L4",
        gettext_noop("Resembles the L4 pattern"),
        frozenset({"shin"}),
        gettext_noop("inner shin; reduced knee reflex"),
    ),
    (
        "L5",
        gettext_noop("Resembles the L5 pattern"),
        frozenset({"shin", "top_of_foot", "big_toe"}),
        gettext_noop(
            "outer shin and top of foot to the big toe; weak foot lift and big-toe extension"
        ),
    ),
    (
        "S1",
        gettext_noop("Resembles the S1 pattern"),
        frozenset({"calf", "sole_heel", "little_toe"}),
        gettext_noop(
            "back or outer calf, outer foot and sole, little toe; weak push-off; "
            "reduced ankle reflex"
        ),
    ),
)


def patterns(regions: Iterable[str], *, worse_with: Iterable[str] = ()) -> list[Pattern]:
    """The patterns the marked regions resemble, best match first.

    A root pattern needs at least one of its signature areas below the knee; the shin belongs
    to both L4 (inner) and L5 (outer), since the map does not split it. Piriformis-like: buttock
    pain that is worse on sitting.
    """
    marked = areas(regions)
    found: list[tuple[int, Pattern]] = []
    for code, label, signature, description in _ROOTS:
        matched = tuple(sorted(signature & marked))
        if matched:
            found.append((len(matched), Pattern(code, label, matched, description, PATTERN_SOURCE)))
    if "buttock" in marked and "sitting" in set(worse_with):
        found.append(
            (
                1,
                Pattern(
                    "piriformis",
                    gettext_noop("Piriformis-like"),
                    ("buttock",),
                    gettext_noop(
                        "buttock pain worse on sitting; check for tenderness near the greater "
                        "sciatic notch"
                    ),
                    PIRIFORMIS_SOURCE,
                ),
            )
        )
    found.sort(key=lambda item: -item[0])
    return [pattern for _, pattern in found]


def focus(regions: Iterable[str], precautions: Iterable[str]) -> list[Focus]:
    """Suggested focus regions for the marked areas, respecting the precautions.

    With `no_massage_affected_leg` (a possible clot) nothing below the buttock is suggested.
    """
    marked = areas(regions)
    leg_allowed = "no_massage_affected_leg" not in set(precautions)
    suggestions: list[Focus] = []
    if "lower_back" in marked or marked & {"buttock", "back_of_thigh", "calf"}:
        suggestions.append(
            Focus(
                gettext_noop("Lumbar paraspinals (erector spinae, multifidus)"),
                gettext_noop("Low-back muscles that guard around an irritated nerve root."),
                FOCUS_SOURCE,
                tradition=False,
            )
        )
    if "lower_back" in marked:
        suggestions.append(
            Focus(
                gettext_noop("Quadratus lumborum"),
                gettext_noop(
                    "Its trigger points are described as referring pain to the buttock and hip."
                ),
                TRIGGER_POINT_SOURCE,
                tradition=True,
            )
        )
    if "buttock" in marked:
        suggestions.append(
            Focus(
                gettext_noop("Gluteus maximus and medius"),
                gettext_noop(
                    "Buttock pain; these muscles are tender in many people with sciatica."
                ),
                FOCUS_SOURCE,
                tradition=False,
            )
        )
        suggestions.append(
            Focus(
                gettext_noop("Piriformis and deep hip rotators"),
                gettext_noop(
                    "The sciatic nerve runs beneath piriformis; relevant when buttock pain is worse on sitting."
                ),
                PIRIFORMIS_SOURCE,
                tradition=False,
            )
        )
    if leg_allowed and marked & {"side_of_thigh", "calf"}:
        suggestions.append(
            Focus(
                gettext_noop("Gluteus minimus"),
                gettext_noop(
                    "Its trigger points are described as referring pain down the side and back of the leg."
                ),
                TRIGGER_POINT_SOURCE,
                tradition=True,
            )
        )
    if leg_allowed and "back_of_thigh" in marked:
        suggestions.append(
            Focus(
                gettext_noop("Hamstrings"),
                gettext_noop("Pain at the back of the thigh."),
                FOCUS_SOURCE,
                tradition=False,
            )
        )
    if leg_allowed and marked & {"calf", "sole_heel"}:
        suggestions.append(
            Focus(
                gettext_noop("Calf (gastrocnemius, soleus)"),
                gettext_noop("Calf pain."),
                FOCUS_SOURCE,
                tradition=False,
            )
        )
    return suggestions


def saddle_marked(regions: Iterable[str]) -> bool:
    """The groin/saddle area is a red-flag region, never a massage region."""
    return SADDLE in set(regions) and not REGIONS[SADDLE].massage_region
