"""What the searcher's own intake says about them, behind a small seam.

Search ranks by patient fit (``ranking.PatientFit``), and that comes from the intake, which sits
above the directory in the order of apps (docs/architecture.md): intake reads the directory,
never the reverse. So the directory asks a fit source, and intake installs one from its
``AppConfig.ready()`` (:func:`use_fit_source`). Until then, everybody gets no fit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sciaticare.directory.ranking import PatientFit

FitSource = Callable[[Any], PatientFit]


def _no_fit(user: Any) -> PatientFit:
    return PatientFit()


_source: FitSource = _no_fit


def use_fit_source(source: FitSource) -> None:
    global _source
    _source = source


def fit_for(user: Any) -> PatientFit:
    """The fit of the person searching (a user or an anonymous visitor)."""
    return _source(user)
