"""The instruments (docs/clinical.md, "Instruments"): the one table of items, ranges, bands,
MCIDs, LOINC codes and sources (pure).

Titles and sources are English, marked for translation: pages translate them where they show
them; the FHIR export and the stored scores keep the English. Band labels are stored codes,
shown in words by the ``band_words`` template filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sciaticare.core.translation import gettext_noop
from sciaticare.intake.scoring.definition import Band, Instrument, ItemSpec

__all__ = ["INSTRUMENTS", "UnknownInstrument", "get_instrument"]


class UnknownInstrument(KeyError):
    def __init__(self, code: object) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown instrument {self.code!r}"


def _int_items(prefix: str, count: int, low: int, high: int) -> tuple[ItemSpec, ...]:
    return tuple(ItemSpec(f"{prefix}-{n}", low, high) for n in range(1, count + 1))


def _bool_items(prefix: str, count: int) -> tuple[ItemSpec, ...]:
    return tuple(ItemSpec(f"{prefix}-{n}", 0, 1, "boolean") for n in range(1, count + 1))


def _nrs(code: str, title: str) -> Instrument:
    return Instrument(
        code=code,
        title=title,
        items=_int_items(code, 1, 0, 10),
        score_min=0,
        score_max=10,
        bands=(),
        # "meaningful change: >=2 points or >=30%" (Ostelo et al., Spine 2008, consensus;
        # Childs et al., Spine 2005: 2.2 at 1 week).
        mcid_points=2.0,
        mcid_percent=30.0,
        lower_is_better=True,
        loinc="72514-3",  # Pain severity - 0-10 verbal numeric rating (docs/clinical.md)
        source=gettext_noop(
            "Generic 0-10 numeric rating scale; MCID: Ostelo et al., Spine 2008; Childs et al., "
            "Spine 2005"
        ),
        ships_text=True,
        rule="single",
    )


_ALL: tuple[Instrument, ...] = (
    _nrs("nrs-back", gettext_noop("Back pain, 0-10 numeric rating scale")),
    _nrs("nrs-leg", gettext_noop("Leg pain, 0-10 numeric rating scale")),
    Instrument(
        code="peg",
        title=gettext_noop("PEG: pain, enjoyment of life and general activity (3 items)"),
        items=_int_items("peg", 3, 0, 10),
        score_min=0,
        score_max=10,
        bands=(),
        # Responsive to change, but no MCID is published: the product uses 30 % and says so
        # (docs/clinical.md, "Instruments").
        mcid_points=None,
        mcid_percent=30.0,
        lower_is_better=True,
        loinc=None,  # No LOINC code is confirmed for the PEG score (docs/clinical.md, "Codes").
        source=gettext_noop("Krebs et al., J Gen Intern Med 2009;24(6):733-738"),
        ships_text=True,
        rule="mean",
        mcid_published=False,
    ),
    Instrument(
        code="rmdq",
        title=gettext_noop("Roland-Morris Disability Questionnaire (24 items)"),
        items=_bool_items("rmdq", 24),
        score_min=0,
        score_max=24,
        # "<=2 ~ recovered"; no other band is given.
        bands=(Band(0, 2, "recovered"),),
        # ">=5 points or >=30%".
        mcid_points=5.0,
        mcid_percent=30.0,
        lower_is_better=True,
        loinc=None,  # No LOINC code is confirmed for the RMDQ score (docs/clinical.md).
        source=gettext_noop(
            "Roland & Morris, Spine 1983;8:141-144; Roland & Fairbank, Spine 2000;25:3115-3124 "
            "(no permission needed in the published form)"
        ),
        ships_text=True,
        rule="count",
    ),
    Instrument(
        code="odi",
        title=gettext_noop("Oswestry Disability Index 2.1a"),
        items=_int_items("odi", 10, 0, 5),
        score_min=0,
        score_max=100,
        bands=(
            Band(0, 20, "minimal"),
            Band(21, 40, "moderate"),
            Band(41, 60, "severe"),
            Band(61, 80, "crippled"),
            Band(81, 100, "bed-bound"),
        ),
        # "MCID 10 points or 30%".
        mcid_points=10.0,
        mcid_percent=30.0,
        lower_is_better=True,
        loinc="97909-6",  # ODI score; the panel is 97908-8 (docs/clinical.md, "Codes").
        source=gettext_noop(
            "Fairbank & Pynsent, Spine 2000 (ODI 2.1a); item text licensed by Mapi Research Trust"
        ),
        ships_text=False,
        rule="odi",
    ),
    Instrument(
        code="startback",
        title=gettext_noop("Keele STarT Back Screening Tool"),
        # Items 1-8: disagree (false, 0) / agree (true, 1). Item 9: bothersomeness 0-4.
        items=(*_bool_items("startback", 8), ItemSpec("startback-9", 0, 4)),
        score_min=0,
        score_max=9,
        # The low/medium/high band needs both the total and the distress subscale, so it can't
        # be expressed as value ranges: see rules._score_startback.
        bands=(),
        # A stratification tool with no MCID, so a change is never "meaningful".
        mcid_points=None,
        mcid_percent=None,
        lower_is_better=True,
        loinc=None,  # none (docs/clinical.md, "Codes")
        source=gettext_noop(
            "Hill et al., Arthritis Rheum 2008; Keele University (item text free for "
            "non-commercial use only)"
        ),
        ships_text=False,
        rule="startback",
    ),
    # The Sciatica Bothersomeness Index (``sbi``) is deliberately absent: it may ship only with
    # the item text of Patrick et al. 1995, and that text (its 4th item in particular) is not
    # confirmed (docs/clinical.md, "Instruments"). Add it once the text is confirmed.
)

INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType({i.code: i for i in _ALL})


def get_instrument(code: str) -> Instrument:
    try:
        return INSTRUMENTS[code]
    except (KeyError, TypeError):
        raise UnknownInstrument(code) from None
