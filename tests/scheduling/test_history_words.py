"""The appointment page's History says each change in words, never its code: every kind the
services record anywhere in src/ (record_change, a hold's release, a change row written
directly) has words in one mapping (scheduling/history.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from sciaticare.audit import actions
from sciaticare.scheduling.history import CHANGE_WORDS
from sciaticare.scheduling.models import AppointmentChange, AppointmentStatus
from tests.factories import AppointmentFactory

SRC = Path(__file__).resolve().parents[2] / "src" / "sciaticare"


def _kinds_written_in_src() -> set[str]:
    kinds: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for call in re.findall(
            r"record_change\(\s*[\w.]+,\s*([^)]*?),\s*[\w.]+(?:,|\))", text, re.S
        ):
            kinds |= set(re.findall(r'"([a-z_]+)"', call))
        for call in re.findall(
            r"(?:release_hold|release_unpaid_hold|AppointmentChange(?:\.objects\.create)?)\(([^)]*)\)",
            text,
            re.S,
        ):
            kinds |= set(re.findall(r'kind="([a-z_]+)"', call))
        # A kind chosen before the call: `kind = "late_cancelled" if … else "cancelled"`.
        if "AppointmentChange" in text or "record_change(" in text:
            for line in re.findall(r"^\s*kind = (.+)$", text, re.M):
                kinds |= set(re.findall(r'"([a-z_]+)"', line))
    return kinds


def test_every_kind_written_anywhere_has_words():
    written = _kinds_written_in_src()
    # The scan finds kinds from every writer: the services, billing's hold releases, the demo.
    assert {"booked", "no_show", "late_cancelled", "held_for_deposit", "hold_replaced"} <= written
    assert sorted(written - set(CHANGE_WORDS)) == []


def test_every_appointment_audit_code_has_history_words():
    # record_change writes `appointment.<kind>` to the audit log: the two lists agree.
    codes = {
        code.removeprefix("appointment.")
        for code in actions.WORDS
        if code.startswith("appointment.")
    }
    assert sorted(codes - set(CHANGE_WORDS)) == []


def test_the_words_are_words():
    for kind, words in CHANGE_WORDS.items():
        assert "_" not in words, kind


@pytest.mark.django_db
def test_the_page_shows_words_not_codes(client, monkeypatch):
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    appointment = AppointmentFactory(
        start=datetime(2026, 12, 6, 10, 0, tzinfo=UTC), status=AppointmentStatus.CANCELLED
    )
    for kind in CHANGE_WORDS:
        AppointmentChange.objects.create(appointment=appointment, kind=kind, at=now)
    client.force_login(appointment.patient)

    history = client.get(f"/appointments/{appointment.pk}/").content.decode()
    history = history[history.index('id="hist-title"') :]

    for kind, words in CHANGE_WORDS.items():
        assert words in history, kind
    for code in ("held_for_deposit", "late_cancelled", "no_show", "hold_replaced"):
        assert code not in history
