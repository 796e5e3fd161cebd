"""The body map: where it hurts, as stable region codes (docs/clinical.md, "Body map"). Pure, no Django.

Each region exists on the left and the right, except the groin/saddle area, which is one
central region and a red flag, not a massage region (NICE CKS Sciatica; docs/clinical.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sciaticare.core.translation import gettext, gettext_noop


@dataclass(frozen=True)
class Region:
    """One place on the body map a person can mark."""

    code: str  # e.g. "left_calf"
    area: str  # e.g. "calf"
    side: str  # "left" | "right" | "centre"
    label: str  # e.g. "Left calf": English, marked for translation (``region_words``)
    view: str  # "back" | "front": which figure of the map shows it
    below_knee: bool
    massage_region: bool = True


_AREAS: tuple[tuple[str, str, str, str, bool], ...] = (
    # area code, left label, right label, figure, below the knee. Each label is one sentence to
    # translate (a side and an area are not glued: Spanish puts the side after the area).
    (
        "lower_back",
        gettext_noop("Left lower back"),
        gettext_noop("Right lower back"),
        "back",
        False,
    ),
    ("buttock", gettext_noop("Left buttock"), gettext_noop("Right buttock"), "back", False),
    (
        "back_of_thigh",
        gettext_noop("Left back of thigh"),
        gettext_noop("Right back of thigh"),
        "back",
        False,
    ),
    (
        "side_of_thigh",
        gettext_noop("Left side of thigh"),
        gettext_noop("Right side of thigh"),
        "back",
        False,
    ),
    ("calf", gettext_noop("Left calf"), gettext_noop("Right calf"), "back", True),
    (
        "sole_heel",
        gettext_noop("Left sole or heel"),
        gettext_noop("Right sole or heel"),
        "back",
        True,
    ),
    (
        "front_of_thigh",
        gettext_noop("Left front of thigh"),
        gettext_noop("Right front of thigh"),
        "front",
        False,
    ),
    ("shin", gettext_noop("Left shin"), gettext_noop("Right shin"), "front", True),
    (
        "top_of_foot",
        gettext_noop("Left top of foot"),
        gettext_noop("Right top of foot"),
        "front",
        True,
    ),
    ("big_toe", gettext_noop("Left big toe"), gettext_noop("Right big toe"), "front", True),
    (
        "little_toe",
        gettext_noop("Left little toe"),
        gettext_noop("Right little toe"),
        "front",
        True,
    ),
)

SADDLE = "groin_saddle"


def _build() -> Mapping[str, Region]:
    regions: dict[str, Region] = {}
    for area, left, right, view, below_knee in _AREAS:
        for side, label in (("left", left), ("right", right)):
            code = f"{side}_{area}"
            regions[code] = Region(code, area, side, label, view, below_knee)
    regions[SADDLE] = Region(
        SADDLE,
        SADDLE,
        "centre",
        gettext_noop("Groin or saddle area"),
        "front",
        False,
        massage_region=False,
    )
    return MappingProxyType(regions)


REGIONS: Mapping[str, Region] = _build()

#: ICD-10-CM codes of sciatica by the leg it is felt in (docs/clinical.md, "Codes"): the FHIR
#: Condition and the US superbill both say it. None: both legs, or no leg marked.
SCIATICA_ICD10CM: Mapping[str | None, str] = MappingProxyType(
    {"right": "M54.31", "left": "M54.32", None: "M54.30"}
)

QUALITIES: Mapping[str, str] = MappingProxyType(
    {
        "burning": gettext_noop("Burning"),
        "throbbing": gettext_noop("Throbbing"),
        "shooting": gettext_noop("Shooting"),
        "aching": gettext_noop("Aching"),
        "numbness": gettext_noop("Numbness"),
        "tingling": gettext_noop("Tingling, pins and needles"),
        "weakness": gettext_noop("Weakness"),
    }
)

WORSE_WITH: Mapping[str, str] = MappingProxyType(
    {
        "sitting": gettext_noop("Sitting"),
        "standing": gettext_noop("Standing"),
        "walking": gettext_noop("Walking"),
        "bending": gettext_noop("Bending forward"),
        "coughing": gettext_noop("Coughing or sneezing"),
        "lying_down": gettext_noop("Lying down"),
        "mornings": gettext_noop("Mornings"),
    }
)

BETTER_WITH: Mapping[str, str] = MappingProxyType(
    {
        "lying_down": gettext_noop("Lying down"),
        "walking": gettext_noop("Walking"),
        "heat": gettext_noop("Heat"),
        "stretching": gettext_noop("Stretching"),
        "rest": gettext_noop("Rest"),
        "medication": gettext_noop("Pain medication"),
    }
)


def region_words(code: str) -> str:
    """A region code in words, in the language being answered in; an unknown code as it is."""
    region = REGIONS.get(code)
    return gettext(region.label) if region else code


def choice_words(choices: Mapping[str, str], code: str) -> str:
    """A quality, "worse with" or "better with" code in words, in the language being answered
    in (``choice_words(QUALITIES, "burning")``); an unknown code as it is."""
    return gettext(choices[code]) if code in choices else code


def areas(codes: Iterable[str]) -> frozenset[str]:
    """The areas (side dropped) among region codes."""
    return frozenset(REGIONS[code].area for code in codes if code in REGIONS)


def sides(codes: Iterable[str]) -> frozenset[str]:
    return frozenset(REGIONS[code].side for code in codes if code in REGIONS)


def leg_side(codes: Iterable[str]) -> str | None:
    """ "left" or "right" when the marked leg regions are all on one side; None otherwise
    (both legs, only the lower back or the saddle area, or nothing marked)."""
    legs = [
        code
        for code in codes
        if code in REGIONS and REGIONS[code].area not in ("lower_back", SADDLE)
    ]
    found = sides(legs)
    return next(iter(found)) if len(found) == 1 and found <= {"left", "right"} else None
