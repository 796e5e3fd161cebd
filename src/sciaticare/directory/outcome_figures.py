"""Each therapist's reported relief, for ranking, behind a small seam.

The figures are outcomes' (its daily ``TherapistOutcome`` summary), and outcomes sits above the
directory in the order of apps (docs/architecture.md): it reads profiles and rebuilds the
search table. So the search table asks a figures source, and outcomes installs its selector
(``practice_selectors.outcome_terms``) from its ``AppConfig.ready()`` with
:func:`use_outcome_figures`. Until then nobody has figures: every term is the prior's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol


class OutcomeFigures(Protocol):
    @property
    def by_therapist(self) -> Mapping[int, tuple[float, int]]:
        """Median relief and patient count, by therapist profile id (those with figures)."""
        ...

    @property
    def overall_relief(self) -> float | None:
        """The patient-weighted mean relief over everyone, None without any figures."""
        ...


@dataclass(frozen=True)
class NoFigures:
    by_therapist: Mapping[int, tuple[float, int]] = field(default_factory=dict)
    overall_relief: float | None = None


FiguresSource = Callable[[Collection[int] | None], OutcomeFigures]


def _no_figures(profile_ids: Collection[int] | None) -> OutcomeFigures:
    return NoFigures()


_source: FiguresSource = _no_figures


def use_outcome_figures(source: FiguresSource) -> None:
    global _source
    _source = source


def outcome_figures(profile_ids: Collection[int] | None) -> OutcomeFigures:
    """The figures of these therapists (all of them for None)."""
    return _source(profile_ids)
