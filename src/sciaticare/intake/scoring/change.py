"""Meaningful change from a first score to the latest, by the instrument's MCID (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sciaticare.intake.scoring.definition import Instrument
from sciaticare.intake.scoring.instruments import get_instrument
from sciaticare.intake.scoring.rules import EPSILON

__all__ = ["Change", "change"]


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
    by_points = instrument.mcid_points is not None and points >= instrument.mcid_points - EPSILON
    by_percent = (
        instrument.mcid_percent is not None
        and percent is not None
        and percent >= instrument.mcid_percent - EPSILON
    )
    meaningful = points > 0 and (by_points or by_percent)
    return Change(
        instrument.code, float(baseline), float(latest), float(points), percent, meaningful
    )
