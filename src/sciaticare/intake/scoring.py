"""Scoring rules for the outcome instruments (pure: no Django).

Every clinical number here -- items, ranges, scoring rules, missing-answer rules, interpretation
bands, minimal clinically important differences (MCIDs) and codes -- is written down with its
source in ``docs/clinical.md`` ("Instruments" and "Codes"); each instrument's ``source`` names
the publication it rests on.

Instruments are data: a FHIR R4 ``Questionnaire`` holds the item text (bundled under
``questionnaires/<code>.json`` for the instruments we may ship), and this module holds the named
scoring rule. For the Oswestry Disability Index (licensed text, Mapi Research Trust) and Keele
STarT Back (text free for non-commercial use only) only the scoring is built in: a clinic that
holds a licence imports the text, and :func:`check_fits` tells whether the import fits the rule.

Answers are a mapping ``linkId -> int | bool | None``; ``None`` or an absent key means
"not answered". A score is never computed from partial data silently: an instrument that needs
every item raises :class:`IncompleteResponse`; the ODI, which allows a few unanswered sections
(at least 8 of 10 answered), reports how many sections it was computed from in
``Score.subscores["sections_answered"]``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, Literal

import pydantic
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

__all__ = [
    "FHIR_BASE_URL",
    "INSTRUMENTS",
    "ODI_MIN_SECTIONS",
    "QUESTIONNAIRE_STATUSES",
    "SCORE_EXTENSION_URL",
    "STARTBACK_BOTHERSOME_POSITIVE",
    "Answer",
    "Band",
    "Change",
    "IncompleteResponse",
    "Instrument",
    "InvalidResponse",
    "ItemSpec",
    "Score",
    "TextNotShipped",
    "UnknownInstrument",
    "answers_from_fhir",
    "canonical_url",
    "change",
    "check_fits",
    "get_instrument",
    "load_questionnaire",
    "response_to_fhir",
    "score",
    "validate_questionnaire",
]

Answer = int | bool | None
AnswerType = Literal["integer", "boolean"]

FHIR_BASE_URL: Final = "https://sciaticare.example/fhir"
SCORE_EXTENSION_URL: Final = f"{FHIR_BASE_URL}/StructureDefinition/instrument-score"
MIN_VALUE_URL: Final = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL: Final = "http://hl7.org/fhir/StructureDefinition/maxValue"

# Questionnaire.status codes (FHIR R4 PublicationStatus); the pydantic models don't check codes.
QUESTIONNAIRE_STATUSES: Final = frozenset({"draft", "active", "retired", "unknown"})
# Questionnaire.item.type codes (FHIR R4 item-type value set).
_ITEM_TYPES: Final = frozenset(
    {
        "group",
        "display",
        "boolean",
        "decimal",
        "integer",
        "date",
        "dateTime",
        "time",
        "string",
        "text",
        "url",
        "choice",
        "open-choice",
        "attachment",
        "reference",
        "quantity",
    }
)
_NOT_ANSWERABLE: Final = frozenset({"group", "display"})

# Tolerance for float noise when comparing a change with an MCID (e.g. 29.999999999999996 %).
_EPSILON: Final = 1e-9

# ODI (Fairbank & Pynsent, Spine 2000) allows unanswered sections and divides by the sections
# answered. The published scoring illustrates one or two missed sections; the product scores
# only with at least 8 of the 10 answered, a product rule pending confirmation (docs/clinical.md,
# "Missing answers"). One answered section must never give a score: "5" alone would be 100 %.
ODI_MIN_SECTIONS: Final = 8

# STarT Back item 9 (bothersomeness), coded 0-4: not at all, slightly, moderately, very much,
# extremely. Hill et al. 2008; Keele University (docs/clinical.md): positive if
# "very much" or "extremely", i.e. 3 or 4.
STARTBACK_BOTHERSOME_POSITIVE: Final = 3


# --------------------------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------------------------


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
        """The meaningful-change rule in words, as tables and the PDF state it."""
        parts = []
        if self.mcid_points:
            parts.append(f"{self.mcid_points:g} points")
        if self.mcid_percent:
            parts.append(f"{self.mcid_percent:g} % of the first score")
        if not parts:
            return "none published"
        if not self.mcid_published:
            return f"{' or '.join(parts)} (no published threshold)"
        return " or ".join(parts)

    @property
    def url(self) -> str:
        """Canonical URL of this instrument's Questionnaire."""
        return canonical_url(self.code)

    def item(self, link_id: str) -> ItemSpec:
        for spec in self.items:
            if spec.link_id == link_id:
                return spec
        raise KeyError(link_id)


@dataclass(frozen=True)
class Score:
    instrument: str
    value: float
    band: str | None
    subscores: Mapping[str, float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Change:
    """Change from baseline to latest. ``points`` > 0 always means better.

    ``meaningful`` is a meaningful *improvement*: ``points >= mcid_points`` or
    ``percent >= mcid_percent``. Instruments without an MCID are never "meaningful".
    """

    instrument: str
    baseline: float
    latest: float
    points: float
    percent: float | None
    meaningful: bool


class UnknownInstrument(KeyError):
    def __init__(self, code: object) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown instrument {self.code!r}"


class IncompleteResponse(ValueError):
    """Answers are missing that the instrument's rule needs; ``missing`` lists their linkIds.

    ``explanation`` says in plain words what the rule needs, for the 422 and the page.
    """

    EVERY_ITEM: Final = "Every item of this instrument needs an answer."

    def __init__(
        self,
        instrument: str,
        missing: Iterable[str],
        message: str | None = None,
        *,
        explanation: str = EVERY_ITEM,
    ):
        self.instrument = instrument
        self.missing: tuple[str, ...] = tuple(missing)
        self.explanation = explanation
        super().__init__(
            message or f"{instrument}: no score without answers to {', '.join(self.missing)}"
        )


class InvalidResponse(ValueError):
    """Answers that can't be scored: ``errors`` is ``((link_id, message), ...)``."""

    def __init__(self, instrument: str, errors: Iterable[tuple[str, str]]):
        self.instrument = instrument
        self.errors: tuple[tuple[str, str], ...] = tuple(errors)
        detail = "; ".join(f"{link_id}: {message}" for link_id, message in self.errors)
        super().__init__(f"{instrument}: invalid answers ({detail})")


class TextNotShipped(LookupError):
    """The instrument's item text is not bundled (licensed / non-commercial): import it."""


def canonical_url(code: str) -> str:
    return f"{FHIR_BASE_URL}/Questionnaire/{code}"


# --------------------------------------------------------------------------------------------
# The instruments (docs/clinical.md, "Instruments")
# --------------------------------------------------------------------------------------------


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
        source=(
            "Generic 0-10 numeric rating scale; MCID: Ostelo et al., Spine 2008; Childs et al., "
            "Spine 2005"
        ),
        ships_text=True,
        rule="single",
    )


_ALL: tuple[Instrument, ...] = (
    _nrs("nrs-back", "Back pain, 0-10 numeric rating scale"),
    _nrs("nrs-leg", "Leg pain, 0-10 numeric rating scale"),
    Instrument(
        code="peg",
        title="PEG: pain, enjoyment of life and general activity (3 items)",
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
        source="Krebs et al., J Gen Intern Med 2009;24(6):733-738",
        ships_text=True,
        rule="mean",
        mcid_published=False,
    ),
    Instrument(
        code="rmdq",
        title="Roland-Morris Disability Questionnaire (24 items)",
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
        source=(
            "Roland & Morris, Spine 1983;8:141-144; Roland & Fairbank, Spine 2000;25:3115-3124 "
            "(no permission needed in the published form)"
        ),
        ships_text=True,
        rule="count",
    ),
    Instrument(
        code="odi",
        title="Oswestry Disability Index 2.1a",
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
        source=(
            "Fairbank & Pynsent, Spine 2000 (ODI 2.1a); item text licensed by Mapi Research Trust"
        ),
        ships_text=False,
        rule="odi",
    ),
    Instrument(
        code="startback",
        title="Keele STarT Back Screening Tool",
        # Items 1-8: disagree (false, 0) / agree (true, 1). Item 9: bothersomeness 0-4.
        items=(*_bool_items("startback", 8), ItemSpec("startback-9", 0, 4)),
        score_min=0,
        score_max=9,
        # The low/medium/high band needs both the total and the distress subscale, so it can't
        # be expressed as value ranges: see _score_startback.
        bands=(),
        # A stratification tool with no MCID, so a change is never "meaningful".
        mcid_points=None,
        mcid_percent=None,
        lower_is_better=True,
        loinc=None,  # none (docs/clinical.md, "Codes")
        source=(
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


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def _normalise(instrument: Instrument, answers: Mapping[str, Answer]) -> dict[str, int | None]:
    """Check every answer; return ``link_id -> int | None`` for every item, in item order."""
    if not isinstance(answers, Mapping):
        raise InvalidResponse(instrument.code, [("", "answers must be a mapping of linkId")])
    specs = {spec.link_id: spec for spec in instrument.items}
    errors: list[tuple[str, str]] = [
        (str(key), f"unknown item for {instrument.code}") for key in answers if key not in specs
    ]
    result: dict[str, int | None] = {}
    for spec in instrument.items:
        value = answers.get(spec.link_id)
        if value is None:
            result[spec.link_id] = None
        elif spec.answer_type == "boolean":
            if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
                result[spec.link_id] = int(value)
            else:
                errors.append((spec.link_id, f"expected true or false, got {value!r}"))
        elif isinstance(value, bool) or not isinstance(value, int):
            errors.append((spec.link_id, f"expected an integer, got {value!r}"))
        elif not spec.min <= value <= spec.max:
            errors.append((spec.link_id, f"{value} is outside {spec.min}-{spec.max}"))
        else:
            result[spec.link_id] = value
    if errors:
        raise InvalidResponse(instrument.code, errors)
    return result


def _require_all(instrument: Instrument, values: Mapping[str, int | None]) -> list[int]:
    missing = [link_id for link_id, value in values.items() if value is None]
    if missing:
        raise IncompleteResponse(instrument.code, missing)
    return [value for value in values.values() if value is not None]


def _band(instrument: Instrument, value: float) -> str | None:
    for band in instrument.bands:
        if value <= band.high + _EPSILON:
            return band.label if value >= instrument.bands[0].low - _EPSILON else None
    return None


def _score_single(instrument: Instrument, values: Mapping[str, int | None]) -> Score:
    # "a single-item scale with no answer has no score".
    (value,) = _require_all(instrument, values)
    return Score(instrument.code, float(value), _band(instrument, value))


def _score_mean(instrument: Instrument, values: Mapping[str, int | None]) -> Score:
    # PEG: mean of the three items, all required.
    answered = _require_all(instrument, values)
    value = sum(answered) / len(answered)
    return Score(instrument.code, value, _band(instrument, value))


def _score_count(instrument: Instrument, values: Mapping[str, int | None]) -> Score:
    # RMDQ: number of statements ticked, 0-24; every statement answered true or false.
    value = float(sum(_require_all(instrument, values)))
    return Score(instrument.code, value, _band(instrument, value))


def _score_odi(instrument: Instrument, values: Mapping[str, int | None]) -> Score:
    # ODI: sum / (5 x sections answered) x 100; unanswered sections allowed.
    answered = {k: v for k, v in values.items() if v is not None}
    if len(answered) < ODI_MIN_SECTIONS:
        missing = [k for k, v in values.items() if v is None]
        total = len(instrument.items)
        sections = ", ".join(link.rsplit("-", 1)[-1] for link in missing)
        raise IncompleteResponse(
            instrument.code,
            missing,
            f"{instrument.code}: {len(answered)} of {total} sections answered, no score "
            f"(needs {ODI_MIN_SECTIONS}); unanswered: {', '.join(missing)}",
            explanation=(
                f"The Oswestry Disability Index is scored only when at least "
                f"{ODI_MIN_SECTIONS} of its {total} sections are answered "
                f"(answered: {len(answered)}). Unanswered sections: {sections}."
            ),
        )
    raw = sum(answered.values())
    possible = sum(instrument.item(k).max for k in answered)
    value = raw / possible * 100
    subscores = MappingProxyType({"sections_answered": float(len(answered)), "raw_sum": float(raw)})
    return Score(instrument.code, value, _band(instrument, value), subscores)


def _score_startback(instrument: Instrument, values: Mapping[str, int | None]) -> Score:
    # STarT Back: total 0-9 (item 9 counts 1 when positive); distress subscale = items 5-9
    # (0-5); total <=3 low; total >=4 and subscale <=3 medium; subscale >=4 high.
    _require_all(instrument, values)
    points = {
        link_id: (
            int((value or 0) >= STARTBACK_BOTHERSOME_POSITIVE)
            if link_id == "startback-9"
            else (value or 0)
        )
        for link_id, value in values.items()
    }
    total = sum(points.values())
    distress = sum(points[f"startback-{n}"] for n in range(5, 10))
    if total <= 3:
        band = "low"
    elif distress <= 3:
        band = "medium"
    else:
        band = "high"
    return Score(
        instrument.code, float(total), band, MappingProxyType({"distress": float(distress)})
    )


_RULES: Final[Mapping[str, Callable[[Instrument, Mapping[str, int | None]], Score]]] = (
    MappingProxyType(
        {
            "single": _score_single,
            "mean": _score_mean,
            "count": _score_count,
            "odi": _score_odi,
            "startback": _score_startback,
        }
    )
)


def _compute(
    code: str, answers: Mapping[str, Answer]
) -> tuple[Instrument, dict[str, int | None], Score]:
    instrument = get_instrument(code)
    values = _normalise(instrument, answers)
    return instrument, values, _RULES[instrument.rule](instrument, values)


def score(code: str, answers: Mapping[str, Answer]) -> Score:
    """Score one completed instrument.

    Raises :class:`UnknownInstrument` (a ``KeyError``) for an unknown code,
    :class:`InvalidResponse` for unknown linkIds, out-of-range or wrongly typed values, and
    :class:`IncompleteResponse` when the instrument's rule lacks answers it needs.
    """
    return _compute(code, answers)[2]


def _check_score_value(instrument: Instrument, name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{instrument.code}: {name} must be a finite number, got {value!r}")
    if not instrument.score_min <= value <= instrument.score_max:
        raise ValueError(
            f"{instrument.code}: {name} {value} is outside "
            f"{instrument.score_min:g}-{instrument.score_max:g}"
        )


def change(code: str, baseline: float, latest: float) -> Change:
    """Improvement from ``baseline`` to ``latest``, and whether it reaches the MCID."""
    instrument = get_instrument(code)
    _check_score_value(instrument, "baseline", baseline)
    _check_score_value(instrument, "latest", latest)
    points = baseline - latest if instrument.lower_is_better else latest - baseline
    percent = None if baseline == 0 else points / abs(baseline) * 100
    by_points = instrument.mcid_points is not None and points >= instrument.mcid_points - _EPSILON
    by_percent = (
        instrument.mcid_percent is not None
        and percent is not None
        and percent >= instrument.mcid_percent - _EPSILON
    )
    meaningful = points > 0 and (by_points or by_percent)
    return Change(
        instrument.code, float(baseline), float(latest), float(points), percent, meaningful
    )


# --------------------------------------------------------------------------------------------
# Questionnaires
# --------------------------------------------------------------------------------------------


def load_questionnaire(code: str) -> dict[str, Any]:
    """The bundled FHIR Questionnaire for ``code``, as parsed JSON (a fresh copy each call)."""
    instrument = get_instrument(code)
    if not instrument.ships_text:
        raise TextNotShipped(
            f"{code}: the item text is not shipped ({instrument.source}); "
            "a clinic holding a licence imports it"
        )
    path = resources.files(__package__ or "sciaticare.intake") / "questionnaires" / f"{code}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _location(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_problems(error: pydantic.ValidationError) -> list[str]:
    problems = []
    for detail in error.errors():
        where = _location(detail["loc"])
        message = " ".join(str(detail["msg"]).split())
        problems.append(f"{where}: {message}" if where else message)
    return problems


def _walk_items(
    items: object, path: str, visit: Callable[[Mapping[str, Any], str], None]
) -> list[str]:
    """Call ``visit`` on every item, depth first; return problems with the item structure."""
    if items is None:
        return []
    if not isinstance(items, list):
        return [f"{path}: must be a list"]
    problems: list[str] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{where}: must be an object")
            continue
        visit(item, where)
        problems += _walk_items(item.get("item"), f"{where}.item", visit)
    return problems


def validate_questionnaire(data: object) -> list[str]:
    """Readable problems with ``data`` as a FHIR Questionnaire; empty when it is valid."""
    if not isinstance(data, Mapping):
        return ["a Questionnaire must be a JSON object"]
    resource_type = data.get("resourceType")
    if resource_type != "Questionnaire":
        return [f"resourceType must be 'Questionnaire', not {resource_type!r}"]
    problems: list[str] = []
    status = data.get("status")
    if status is not None and status not in QUESTIONNAIRE_STATUSES:
        problems.append(
            f"status: {status!r} is not one of {', '.join(sorted(QUESTIONNAIRE_STATUSES))}"
        )
    seen: set[str] = set()

    def visit(item: Mapping[str, Any], where: str) -> None:
        item_type = item.get("type")
        if item_type is not None and item_type not in _ITEM_TYPES:
            problems.append(f"{where}.type: {item_type!r} is not a Questionnaire item type")
        link_id = item.get("linkId")
        if isinstance(link_id, str):
            if link_id in seen:
                problems.append(f"{where}.linkId: {link_id!r} is used more than once")
            seen.add(link_id)

    problems += _walk_items(data.get("item"), "item", visit)
    try:
        Questionnaire.model_validate(dict(data))
    except pydantic.ValidationError as error:
        problems += _pydantic_problems(error)
    return problems


def _extension_int(item: Mapping[str, Any], url: str) -> tuple[bool, int | None]:
    """(present, valueInteger) of the item's extension with ``url``."""
    for extension in item.get("extension") or ():
        if isinstance(extension, Mapping) and extension.get("url") == url:
            value = extension.get("valueInteger")
            ok = isinstance(value, int) and not isinstance(value, bool)
            return True, value if ok else None
    return False, None


def _option_values(options: object) -> list[int] | None:
    """The valueInteger of every answerOption, or None when any option is not an integer."""
    if not isinstance(options, list):
        return None
    values = []
    for option in options:
        value = option.get("valueInteger") if isinstance(option, Mapping) else None
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        values.append(value)
    return values


def _fit_integer(spec: ItemSpec, item: Mapping[str, Any], item_type: object) -> list[str]:
    name = f"item {spec.link_id!r}"
    scoring_range = f"{spec.min}-{spec.max}"
    if item_type not in ("integer", "choice"):
        return [f"{name} has type {item_type!r}; the scoring rule needs 'integer'"]
    if "answerOption" in item or item_type == "choice":
        values = _option_values(item.get("answerOption"))
        if values is None:
            return [f"{name} must list answerOption valueInteger {scoring_range}"]
        if sorted(values) != list(range(spec.min, spec.max + 1)):
            shown = ", ".join(map(str, sorted(values)))
            return [
                f"{name} answer options ({shown}) disagree with the scoring range {scoring_range}"
            ]
        return []
    problems = []
    for label, url, expected in (
        ("minValue", MIN_VALUE_URL, spec.min),
        ("maxValue", MAX_VALUE_URL, spec.max),
    ):
        present, value = _extension_int(item, url)
        if not present:
            problems.append(f"{name} has no {label} extension (expected {expected})")
        elif value is None:
            problems.append(f"{name} {label} must be a valueInteger (expected {expected})")
        elif value != expected:
            problems.append(
                f"{name} {label} {value} disagrees with the scoring range {scoring_range}"
            )
    return problems


def check_fits(instrument: Instrument, questionnaire: Mapping[str, Any]) -> list[str]:
    """Problems that stop ``questionnaire`` feeding ``instrument``'s scoring rule.

    Checks the answerable items (every type but group and display, at any depth) against the
    rule: missing or extra linkIds, duplicated linkIds, item types (``boolean`` for 0/1 items;
    ``integer`` with minValue/maxValue extensions, or ``integer``/``choice`` with answerOption
    valueInteger, for the rest), ranges that disagree, and repeating items. Empty when it fits.
    Run :func:`validate_questionnaire` for FHIR validity.
    """
    if not isinstance(questionnaire, Mapping):
        return ["a Questionnaire must be a JSON object"]
    if questionnaire.get("resourceType") != "Questionnaire":
        return [f"resourceType must be 'Questionnaire', not {questionnaire.get('resourceType')!r}"]
    found: dict[str, Mapping[str, Any]] = {}
    problems: list[str] = []

    def visit(item: Mapping[str, Any], where: str) -> None:
        if item.get("type") in _NOT_ANSWERABLE:
            return
        link_id = item.get("linkId")
        if not isinstance(link_id, str):
            problems.append(f"{where} has no linkId")
        elif link_id in found:
            problems.append(f"item {link_id!r} appears more than once")
        else:
            found[link_id] = item

    problems += _walk_items(questionnaire.get("item"), "item", visit)
    specs = {spec.link_id: spec for spec in instrument.items}
    problems += [
        f"missing item {link_id!r} (needed by {instrument.code} scoring)"
        for link_id in specs
        if link_id not in found
    ]
    problems += [
        f"item {link_id!r} is not part of {instrument.code} scoring"
        for link_id in found
        if link_id not in specs
    ]
    for link_id, spec in specs.items():
        item = found.get(link_id)
        if item is None:
            continue
        item_type = item.get("type")
        if item.get("repeats") is True:
            problems.append(f"item {link_id!r} repeats; the scoring rule needs one answer")
        if spec.answer_type == "boolean":
            if item_type != "boolean":
                problems.append(
                    f"item {link_id!r} has type {item_type!r}; the scoring rule needs 'boolean'"
                )
        else:
            problems += _fit_integer(spec, item, item_type)
    return problems


# --------------------------------------------------------------------------------------------
# QuestionnaireResponse
# --------------------------------------------------------------------------------------------


def _score_extension(result: Score) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"url": "instrument", "valueString": result.instrument},
        {"url": "value", "valueDecimal": result.value},
    ]
    if result.band is not None:
        parts.append({"url": "band", "valueString": result.band})
    for name, value in result.subscores.items():
        parts.append(
            {
                "url": "subscore",
                "extension": [
                    {"url": "name", "valueString": name},
                    {"url": "value", "valueDecimal": value},
                ],
            }
        )
    return {"url": SCORE_EXTENSION_URL, "extension": parts}


def response_to_fhir(
    code: str, answers: Mapping[str, Answer], score: Score, *, questionnaire_version: str
) -> dict[str, Any]:
    """A completed FHIR QuestionnaireResponse (JSON dict) for ``answers``.

    ``score`` is re-checked against the answers (ValueError when it differs) and recorded in a
    complex extension (:data:`SCORE_EXTENSION_URL`: instrument, value, band, subscores).
    Unanswered items (skipped ODI sections) are left out. The caller adds ``subject``,
    ``authored`` and the like.
    """
    if not isinstance(questionnaire_version, str) or not questionnaire_version.strip():
        raise ValueError("questionnaire_version must be a non-empty string")
    if "|" in questionnaire_version:
        raise ValueError("questionnaire_version must not contain '|'")
    instrument, values, expected = _compute(code, answers)
    if (
        score.instrument != expected.instrument
        or not math.isclose(score.value, expected.value, rel_tol=0, abs_tol=_EPSILON)
        or score.band != expected.band
        or dict(score.subscores) != dict(expected.subscores)
    ):
        raise ValueError(f"{code}: the score given does not match the answers ({expected})")
    items = []
    for spec in instrument.items:
        value = values[spec.link_id]
        if value is None:
            continue
        answer = (
            {"valueBoolean": bool(value)}
            if spec.answer_type == "boolean"
            else {"valueInteger": value}
        )
        items.append({"linkId": spec.link_id, "answer": [answer]})
    response: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "extension": [_score_extension(expected)],
        "questionnaire": f"{instrument.url}|{questionnaire_version}",
        "status": "completed",
        "item": items,
    }
    QuestionnaireResponse.model_validate(response)
    return response


def answers_from_fhir(response: Mapping[str, Any]) -> dict[str, Answer]:
    """The answers in a QuestionnaireResponse, as ``linkId -> int | bool | None``.

    The inverse of :func:`response_to_fhir`. Items at any depth are read (including items nested
    under answers); an item with neither answer nor child items gives ``None``. Raises
    ValueError for an invalid resource, a repeated linkId, several answers to one item, or an
    answer that is neither valueInteger nor valueBoolean.
    """
    if not isinstance(response, Mapping) or response.get("resourceType") != (
        "QuestionnaireResponse"
    ):
        raise ValueError("not a QuestionnaireResponse")
    try:
        QuestionnaireResponse.model_validate(dict(response))
    except pydantic.ValidationError as error:
        raise ValueError("; ".join(_pydantic_problems(error))) from None
    result: dict[str, Answer] = {}

    def walk(items: object) -> None:
        for item in items if isinstance(items, list) else ():
            link_id = item["linkId"]
            answers = item.get("answer") or []
            children = item.get("item") or []
            if link_id in result:
                raise ValueError(f"item {link_id!r} appears more than once")
            if len(answers) > 1:
                raise ValueError(f"item {link_id!r} has {len(answers)} answers; expected one")
            if answers:
                answer = answers[0]
                if "valueBoolean" in answer:
                    result[link_id] = bool(answer["valueBoolean"])
                elif "valueInteger" in answer:
                    result[link_id] = int(answer["valueInteger"])
                else:
                    kinds = ", ".join(k for k in answer if k.startswith("value"))
                    raise ValueError(f"item {link_id!r}: unsupported answer ({kinds})")
                walk(answer.get("item"))
            elif not children:
                result[link_id] = None
            walk(children)

    walk(response.get("item"))
    return result
