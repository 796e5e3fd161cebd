"""The patient's recent pain diary in one line, for prefilling a session note, behind a seam.

The diary belongs to outcomes, which sits above records in the order of apps
(docs/architecture.md): outcomes reads the notes, so records may not read the diary. Outcomes
installs the summary from its ``AppConfig.ready()`` (:func:`use_diary_summary`); until then the
prefill has no diary line.
"""

from __future__ import annotations

from collections.abc import Callable

DiarySummary = Callable[[int], str]


def _no_diary(patient_id: int) -> str:
    return ""


_summary: DiarySummary = _no_diary


def use_diary_summary(summary: DiarySummary) -> None:
    global _summary
    _summary = summary


def recent_diary(patient_id: int) -> str:
    """ " Pain diary, last 7 days (…)." for this patient, or "" without entries."""
    return _summary(patient_id)
