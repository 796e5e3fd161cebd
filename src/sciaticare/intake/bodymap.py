"""The body map: where it hurts, as stable region codes (docs/clinical.md, "Body map"). Pure, no Django.

Each region exists on the left and the right, except the groin/saddle area, which is one
central region and a red flag, not a massage region (NICE CKS Sciatica; docs/clinical.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Region:
    """One place on the body map a person can mark."""

    code: str  # e.g. "left_calf"
    area: str  # e.g. "calf"
    side: str  # "left" | "right" | "centre"
    label: str  # e.g. "Left calf"
    view: str  # "back" | "front": which figure of the map shows it
    below_knee: bool
    massage_region: bool = True


_AREAS: tuple[tuple[str, str, str, bool], ...] = (
    # area code, label, figure, below the knee
    ("lower_back", "lower back", "back", False),
    ("buttock", "buttock", "back", False),
    ("back_of_thigh", "back of thigh", "back", False),
    ("side_of_thigh", "side of thigh", "back", False),
    ("calf", "calf", "back", True),
    ("sole_heel", "sole or heel", "back", True),
    ("front_of_thigh", "front of thigh", "front", False),
    ("shin", "shin", "front", True),
    ("top_of_foot", "top of foot", "front", True),
    ("big_toe", "big toe", "front", True),
    ("little_toe", "little toe", "front", True),
)

SADDLE = "groin_saddle"


def _build() -> Mapping[str, Region]:
    regions: dict[str, Region] = {}
    for area, label, view, below_knee in _AREAS:
        for side in ("left", "right"):
            code = f"{side}_{area}"
            regions[code] = Region(code, area, side, f"{side.title()} {label}", view, below_knee)
    regions[SADDLE] = Region(
        SADDLE, SADDLE, "centre", "Groin or saddle area", "front", False, massage_region=False
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
        "burning": "Burning",
        "throbbing": "Throbbing",
        "shooting": "Shooting",
        "aching": "Aching",
        "numbness": "Numbness",
        "tingling": "Tingling, pins and needles",
        "weakness": "Weakness",
    }
)

WORSE_WITH: Mapping[str, str] = MappingProxyType(
    {
        "sitting": "Sitting",
        "standing": "Standing",
        "walking": "Walking",
        "bending": "Bending forward",
        "coughing": "Coughing or sneezing",
        "lying_down": "Lying down",
        "mornings": "Mornings",
    }
)

BETTER_WITH: Mapping[str, str] = MappingProxyType(
    {
        "lying_down": "Lying down",
        "walking": "Walking",
        "heat": "Heat",
        "stretching": "Stretching",
        "rest": "Rest",
        "medication": "Pain medication",
    }
)


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
