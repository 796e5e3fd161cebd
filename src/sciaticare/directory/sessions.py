"""Completed sessions: the one fact reviews need from scheduling, behind a small seam.

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

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CompletedSession:
    """A session that took place: who was treated, by whom, and when it ended."""

    id: int
    patient_id: int
    therapist_user_id: int
    ended_at: datetime


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
    """The ledger before scheduling installs its own: no session has taken place."""

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
