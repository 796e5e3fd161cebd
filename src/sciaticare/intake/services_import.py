"""The intake's writes of history brought in by a FHIR import (interop's import of a bundle):
past episodes and questionnaire responses. The caller holds the transaction (an import is all
or nothing)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.core.display import day
from sciaticare.intake.models import Episode, QuestionnaireResponse
from sciaticare.intake.scoring.rules import Score


@dataclass(frozen=True)
class PastEpisode:
    """An episode of pain from an imported record: when it began, and whether it goes on."""

    started_on: date
    active: bool


def add_past_episodes(
    *, patient: User, episodes: Iterable[PastEpisode], now: datetime
) -> tuple[int, int, list[str]]:
    """Add imported episodes, oldest first; an episode that began the same day is already there.
    One episode is open at a time: an ongoing one is added closed (`now`) when the patient has
    an open one, with a warning saying so. The caller holds the transaction (an import is all
    or nothing). Returns (added, already there, warnings)."""
    added, present, warnings = 0, 0, []
    for episode in sorted(episodes, key=lambda e: e.started_on):
        if Episode.objects.filter(patient=patient, started_on=episode.started_on).exists():
            present += 1
            continue
        # closed_at is when the episode is closed in this app: now, for one already over.
        closed_at = None if episode.active else now
        open_one = (
            Episode.objects.filter(patient=patient, closed_at__isnull=True)
            .order_by("started_on")
            .first()
            if closed_at is None
            else None
        )
        if open_one is not None:
            closed_at = now  # one open episode at a time: yours stays the open one
            warnings.append(
                gettext(
                    "The episode from %(day)s was imported as closed, because you already "
                    "have an open episode (from %(open_day)s)."
                )
                % {
                    "day": day(episode.started_on, "medium"),
                    "open_day": day(open_one.started_on, "medium"),
                }
            )
        Episode.objects.create(patient=patient, started_on=episode.started_on, closed_at=closed_at)
        added += 1
    return added, present, warnings


@dataclass(frozen=True)
class PastQuestionnaire:
    """An imported questionnaire response, scored again here (intake/scoring/rules.py)."""

    instrument: str
    version: str
    resource: dict[str, Any]
    result: Score
    completed_at: datetime


def add_past_questionnaires(
    *, patient: User, responses: Iterable[PastQuestionnaire]
) -> tuple[int, int]:
    """Add imported responses, each in the episode under way when it was answered; one of the
    same instrument answered at the same moment is already there. The caller holds the
    transaction. Returns (added, already there)."""
    added, present = 0, 0
    for response in responses:
        if QuestionnaireResponse.objects.filter(
            patient=patient, instrument=response.instrument, completed_at=response.completed_at
        ).exists():
            present += 1
            continue
        QuestionnaireResponse.objects.create(
            patient=patient,
            episode=Episode.objects.filter(
                patient=patient, started_on__lte=response.completed_at.date()
            )
            .order_by("-started_on", "-pk")
            .first(),
            instrument=response.instrument,
            instrument_version=response.version,
            resource=response.resource,
            score=response.result.value,
            band=response.result.band or "",
            subscores=dict(response.result.subscores),
            completed_at=response.completed_at,
        )
        added += 1
    return added, present
