"""What an instrument is: its items, score range, bands, meaningful change and source (pure).

The instruments themselves are in ``instruments``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from sciaticare.core.translation import gettext, ngettext

__all__ = [
    "FHIR_BASE_URL",
    "Answer",
    "Band",
    "Instrument",
    "ItemSpec",
    "canonical_url",
]

Answer = int | bool | None
AnswerType = Literal["integer", "boolean"]

FHIR_BASE_URL: Final = "https://sciaticare.example/fhir"


@dataclass(frozen=True)
class Band:
    """An interpretation band, ``low``-``high`` inclusive, as published.

    Scores can fall between published integer bands (an ODI with a skipped section gives 20.4);
    such a score belongs to the first band whose ``high`` it does not exceed (so 20.4 is
    "moderate", 20.0 "minimal").
    """

    low: float
    high: float
    label: str


@dataclass(frozen=True)
class ItemSpec:
    """One answerable item. Boolean items score 0/1 (``min=0, max=1``)."""

    link_id: str
    min: int
    max: int
    answer_type: AnswerType = "integer"


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    items: tuple[ItemSpec, ...]
    score_min: float
    score_max: float
    bands: tuple[Band, ...]
    mcid_points: float | None
    mcid_percent: float | None
    lower_is_better: bool
    # LOINC code of the *score* observation, where docs/clinical.md gives one.
    loinc: str | None
    source: str
    # False: the item text is licensed or non-commercial, so a clinic imports it.
    ships_text: bool
    # Named scoring rule: "single", "mean", "count", "odi", "startback".
    rule: str
    # False when the MCID is the product's choice, not a published one (PEG: 30 %).
    mcid_published: bool = True

    @property
    def mcid_text(self) -> str:
        """The meaningful-change rule in words, as tables and the PDF state it, in the language
        being answered in (core.translation)."""
        points = (
            ngettext("%(points)s point", "%(points)s points", int(self.mcid_points))
            % {"points": f"{self.mcid_points:g}"}
            if self.mcid_points
            else None
        )
        percent = (
            gettext("%(percent)s %% of the first score") % {"percent": f"{self.mcid_percent:g}"}
            if self.mcid_percent
            else None
        )
        if points and percent:
            rule = gettext("%(points)s or %(percent)s") % {"points": points, "percent": percent}
        elif points or percent:
            rule = points or percent or ""
        else:
            return gettext("none published")
        if not self.mcid_published:
            return gettext("%(rule)s (no published threshold)") % {"rule": rule}
        return rule

    @property
    def url(self) -> str:
        """Canonical URL of this instrument's Questionnaire."""
        return canonical_url(self.code)

    def item(self, link_id: str) -> ItemSpec:
        for spec in self.items:
            if spec.link_id == link_id:
                return spec
        raise KeyError(link_id)


def canonical_url(code: str) -> str:
    return f"{FHIR_BASE_URL}/Questionnaire/{code}"
