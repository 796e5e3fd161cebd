"""The named scoring rules ("single", "mean", "count", "odi", "startback"), the checks on the
answers they take, and the score they give (pure).

Answers are a mapping ``linkId -> int | bool | None``; ``None`` or an absent key means
"not answered". A score is never computed from partial data silently: an instrument that needs
every item raises :class:`IncompleteResponse`; the ODI, which allows a few unanswered sections
(at least 8 of 10 answered), reports how many sections it was computed from in
``Score.subscores["sections_answered"]``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from sciaticare.core.translation import gettext, gettext_noop
from sciaticare.intake.scoring.definition import Answer, Instrument
from sciaticare.intake.scoring.instruments import get_instrument

__all__ = [
    "EPSILON",
    "ODI_MIN_SECTIONS",
    "STARTBACK_BOTHERSOME_POSITIVE",
    "IncompleteResponse",
    "InvalidResponse",
    "Score",
    "score",
    "score_with_answers",
]

# Tolerance for float noise when comparing a score with a band's edge, a change with an MCID
# (e.g. 29.999999999999996 %) or a recorded score with the answers' own.
EPSILON: Final = 1e-9

# ODI (Fairbank & Pynsent, Spine 2000) allows unanswered sections and divides by the sections
# answered. The published scoring illustrates one or two missed sections; the product scores
# only with at least 8 of the 10 answered, a product rule pending confirmation (docs/clinical.md,
# "Missing answers"). One answered section must never give a score: "5" alone would be 100 %.
ODI_MIN_SECTIONS: Final = 8

# STarT Back item 9 (bothersomeness), coded 0-4: not at all, slightly, moderately, very much,
# extremely. Hill et al. 2008; Keele University (docs/clinical.md): positive if
# "very much" or "extremely", i.e. 3 or 4.
STARTBACK_BOTHERSOME_POSITIVE: Final = 3


@dataclass(frozen=True)
class Score:
    instrument: str
    value: float
    band: str | None
    subscores: Mapping[str, float] = field(default_factory=dict, hash=False)


class IncompleteResponse(ValueError):
    """Answers are missing that the instrument's rule needs; ``missing`` lists their linkIds.

    ``explanation`` says in plain words what the rule needs, for the 422 and the page: in the
    language being answered in, or ``EVERY_ITEM`` in English, which the page translates.
    """

    EVERY_ITEM: Final = gettext_noop("Every item of this instrument needs an answer.")

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


def _normalise(instrument: Instrument, answers: Mapping[str, Answer]) -> dict[str, int | None]:
    """Check every answer; return ``link_id -> int | None`` for every item, in item order."""
    if not isinstance(answers, Mapping):
        raise InvalidResponse(
            instrument.code, [("", gettext("answers must be a mapping of linkId"))]
        )
    specs = {spec.link_id: spec for spec in instrument.items}
    errors: list[tuple[str, str]] = [
        (str(key), gettext("unknown item for %(code)s") % {"code": instrument.code})
        for key in answers
        if key not in specs
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
                errors.append(
                    (
                        spec.link_id,
                        gettext("expected true or false, got %(value)r") % {"value": value},
                    )
                )
        elif isinstance(value, bool) or not isinstance(value, int):
            errors.append(
                (spec.link_id, gettext("expected an integer, got %(value)r") % {"value": value})
            )
        elif not spec.min <= value <= spec.max:
            errors.append(
                (
                    spec.link_id,
                    gettext("%(value)s is outside %(low)s-%(high)s")
                    % {"value": value, "low": spec.min, "high": spec.max},
                )
            )
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
        if value <= band.high + EPSILON:
            return band.label if value >= instrument.bands[0].low - EPSILON else None
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
            explanation=gettext(
                "The Oswestry Disability Index is scored only when at least %(needed)s of its "
                "%(total)s sections are answered (answered: %(answered)s). "
                "Unanswered sections: %(sections)s."
            )
            % {
                "needed": ODI_MIN_SECTIONS,
                "total": total,
                "answered": len(answered),
                "sections": sections,
            },
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


def score_with_answers(
    code: str, answers: Mapping[str, Answer]
) -> tuple[Instrument, dict[str, int | None], Score]:
    """The instrument, its checked answers (every item, in item order; ``None`` when not
    answered) and their score. Raises as :func:`score` does."""
    instrument = get_instrument(code)
    values = _normalise(instrument, answers)
    return instrument, values, _RULES[instrument.rule](instrument, values)


def score(code: str, answers: Mapping[str, Answer]) -> Score:
    """Score one completed instrument.

    Raises :class:`UnknownInstrument` (a ``KeyError``) for an unknown code,
    :class:`InvalidResponse` for unknown linkIds, out-of-range or wrongly typed values, and
    :class:`IncompleteResponse` when the instrument's rule lacks answers it needs.
    """
    return score_with_answers(code, answers)[2]
