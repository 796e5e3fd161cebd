"""Completed sessions: the one fact reviews need from scheduling, behind a small seam.

Only a patient who had a completed session with a therapist may review them, once per session.
Sessions are appointments, and appointments belong to scheduling (issue 5), which does not
exist yet. So reviews ask a :class:`SessionLedger` instead of a table:

- until scheduling lands, the ledger in use knows no session (``NoSessionsYet``), so nobody can
  add a review through the product; the rules are in place and tested with a ledger of
  factory-made sessions (``tests/directory/factories.py``);
- scheduling then calls :func:`use_ledger` from its ``AppConfig.ready()`` with a ledger that
  reads ``Appointment`` rows with status completed, and turns ``Review.session_id`` into a
  foreign key to ``Appointment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo


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
        return f"{when:%a} {when.day} {when:%b %Y, %H:%M %Z} with {therapist_name}"


class SessionLedger(Protocol):
    def completed(self, session_id: int) -> CompletedSession | None:
        """The completed session with this id, or None (unknown, or not completed)."""
        ...

    def completed_between(
        self, *, patient_id: int, therapist_user_id: int
    ) -> list[CompletedSession]:
        """Every completed session of this patient with this therapist, newest first."""
        ...


class NoSessionsYet:
    """The ledger while no scheduling exists: no session has taken place."""

    def completed(self, session_id: int) -> CompletedSession | None:
        return None

    def completed_between(
        self, *, patient_id: int, therapist_user_id: int
    ) -> list[CompletedSession]:
        return []


_ledger: SessionLedger = NoSessionsYet()


def ledger() -> SessionLedger:
    return _ledger


def use_ledger(new: SessionLedger) -> SessionLedger:
    """Install the ledger reviews consult; returns the previous one (for tests to restore)."""
    global _ledger
    previous, _ledger = _ledger, new
    return previous
