"""Completed sessions, who a therapist would refuse as new and when each is next free: what the
directory needs from scheduling, behind a small seam.

Only a patient who had a completed session with a therapist may review them, once per session.
Sessions are appointments, and appointments belong to scheduling, which sits above the
directory: the directory may not import it. So reviews ask a :class:`SessionLedger`:

- scheduling installs its ledger (``scheduling.ledger.AppointmentLedger``: appointments with
  status completed) from its ``AppConfig.ready()`` through :func:`use_ledger`;
- until then (a directory without scheduling) the ledger knows no session (``NoSessionsYet``),
  so nobody can add a review; tests install a ledger of factory-made sessions
  (``tests/directory/factories.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sciaticare.core.display import clock, day
from sciaticare.core.translation import gettext


@dataclass(frozen=True, slots=True)
class CompletedSession:
    """A session that took place: who was treated, by whom, and when it ended."""

    id: int
    patient_id: int
    therapist_user_id: int
    ended_at: datetime
    started_at: datetime | None = None
    time_zone: str = "UTC"  # the location's, to name the session as its clock showed it

    def label(self, therapist_name: str) -> str:
        """E.g. "Sat 12 Jul 2025, 10:00 BST with Rosa Lindqvist": how a person knows it."""
        when = (self.started_at or self.ended_at).astimezone(ZoneInfo(self.time_zone))
        return gettext("%(day)s, %(time)s %(zone)s with %(name)s") % {
            "day": day(when, "weekday_year"),
            "time": clock(when),
            "zone": when.strftime("%Z"),
            "name": therapist_name,
        }


class SessionLedger(Protocol):
    def completed(self, session_id: int) -> CompletedSession | None:
        """The completed session with this id, or None (unknown, or not completed)."""
        ...

    def completed_between(
        self, *, patient_id: int, therapist_user_id: int
    ) -> list[CompletedSession]:
        """Every completed session of this patient with this therapist, newest first."""
        ...

    def closed_to(self, *, patient: Any, therapists: Iterable[Any]) -> set[int]:
        """Ids of those therapists who would refuse this patient as new (not taking new
        patients, and not treating them): the directory says so instead of offering Book."""
        ...

    def next_available(
        self, therapist_ids: Sequence[int], *, within: timedelta | None = None
    ) -> dict[int, datetime | None]:
        """When each therapist's first free standard session starts (None: nothing within
        `within`, scheduling's two weeks when not given): search ranks by it."""
        ...


class NoSessionsYet:
    """The ledger before scheduling installs its own: no session has taken place."""

    def completed(self, session_id: int) -> CompletedSession | None:
        return None

    def completed_between(
        self, *, patient_id: int, therapist_user_id: int
    ) -> list[CompletedSession]:
        return []

    def closed_to(self, *, patient: Any, therapists: Iterable[Any]) -> set[int]:
        # Nobody is treated by anybody yet: a therapist not taking new patients refuses all.
        return {t.pk for t in therapists if not t.accepting_new_patients}

    def next_available(
        self, therapist_ids: Sequence[int], *, within: timedelta | None = None
    ) -> dict[int, datetime | None]:
        return dict.fromkeys(therapist_ids)


_ledger: SessionLedger = NoSessionsYet()


def ledger() -> SessionLedger:
    return _ledger


def use_ledger(new: SessionLedger) -> SessionLedger:
    """Install the ledger reviews consult; returns the previous one (for tests to restore)."""
    global _ledger
    previous, _ledger = _ledger, new
    return previous
