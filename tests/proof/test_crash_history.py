"""The crash test's judge (crash_history.py) on made-up histories: a consistent one passes, and
each kind of loss, duplicate or half-written record it must catch is caught."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.proof.crash_history import Write, check_bookings, check_diary, check_notes, draft

SIGNED_AT = "2026-11-25T10:00:00.250000+00:00"
SIGNED_TS = 1795600800.25  # the same instant


def _w(kind: str, outcome: str, key: dict[str, Any], answer: dict[str, Any] | None = None) -> Write:
    status = {"ack": 200, "no": 409, "lost": 0}[outcome]
    return Write(kind, outcome, status, 0.0, key, answer or {})


def _booking(patient: int, start: float) -> dict[str, Any]:
    return {"patient": patient, "therapist": 7, "start": start}


def _note(appointment: int, version: int, *, signed: bool = False) -> dict[str, Any]:
    values = draft(appointment, version)
    return {
        "id": 100 + appointment,
        "appointment": appointment,
        **{k: values[k] for k in ("subjective", "objective", "assessment", "plan", "minutes")},
        "back_pain_before": values["back_pain_before"],
        "back_pain_after": values["back_pain_after"],
        "signed_at": SIGNED_TS if signed else None,
        "signed_by": 70 if signed else None,
        "seal": "v1:x" if signed else "",
        "seal_intact": True if signed else None,
    }


def _history() -> tuple[dict[str, Any], list[Write], dict[str, Any]]:
    """A run where everything is as it should be: one booking acknowledged, one lost and kept,
    one refused; a diary whose last acknowledged write was followed by a lost one that landed;
    a note signed and acknowledged, and one whose signing was lost before it ran."""
    world = {"therapists": [{"id": 7, "past_appointments": [1, 2]}]}
    note_key = {"therapist_user": 70}
    writes = [
        _w("booking", "ack", _booking(11, 1000.0), {"id": 50}),
        _w("booking", "lost", _booking(12, 2000.0)),
        _w("booking", "no", _booking(13, 1000.0)),
        _w("diary", "ack", {"patient": 21, "note": "c0-1", "back": 1, "leg": 7}),
        _w("diary", "lost", {"patient": 21, "note": "c0-2", "back": 2, "leg": 3}),
        _w("note.open", "ack", {"appointment": 1, **note_key}),
        _w("note.v1", "ack", {"appointment": 1, **note_key}),
        _w("note.v2", "ack", {"appointment": 1, **note_key}),
        _w("note.sign", "ack", {"appointment": 1, **note_key}, {"signed_at": SIGNED_AT}),
        _w("note.open", "ack", {"appointment": 2, **note_key}),
        _w("note.v1", "ack", {"appointment": 2, **note_key}),
        _w("note.v2", "lost", {"appointment": 2, **note_key}),
    ]
    state: dict[str, Any] = {
        "appointments": [
            {"id": 1, "patient_id": 11, "therapist_id": 7, "start": 1.0, "status": "completed"},
            {"id": 2, "patient_id": 12, "therapist_id": 7, "start": 2.0, "status": "booked"},
            {"id": 50, "patient_id": 11, "therapist_id": 7, "start": 1000.0, "status": "booked"},
            {"id": 51, "patient_id": 12, "therapist_id": 7, "start": 2000.0, "status": "booked"},
        ],
        "audited": {"appointment.booked": ["50", "51"], "note.sign": ["101"]},
        "entries": [
            {
                "id": 1,
                "patient_id": 21,
                "day": "2026-11-25",
                "back_pain": 2,
                "leg_pain": 3,
                "note": "c0-2",
            }
        ],
        "notes": [_note(1, 2, signed=True), _note(2, 2)],
    }
    for row in state["appointments"]:
        row["changes"] = ["booked"] if row["id"] >= 50 else []
    return world, writes, state


def _problems(world: dict[str, Any], writes: list[Write], state: dict[str, Any]) -> list[str]:
    return (
        check_bookings(world, writes, state)
        + check_diary(writes, state)
        + check_notes(writes, state)
    )


def test_a_consistent_history_passes() -> None:
    assert _problems(*_history()) == []


def _rows(state: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {row["id"]: row for row in state["appointments"]}


def _notes(state: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {note["appointment"]: note for note in state["notes"]}


def _drop_booking(s: dict[str, Any]) -> None:
    s["appointments"] = [a for a in s["appointments"] if a["id"] != 50]


def _refused_booking_kept(s: dict[str, Any]) -> None:
    s["appointments"].append(
        {
            "id": 52,
            "patient_id": 13,
            "therapist_id": 7,
            "start": 1000.0,
            "status": "booked",
            "changes": ["booked"],
        }
    )
    s["audited"]["appointment.booked"].append("52")


def _lost_booking_twice(s: dict[str, Any]) -> None:
    s["appointments"].append(
        {
            "id": 53,
            "patient_id": 12,
            "therapist_id": 7,
            "start": 2000.0,
            "status": "booked",
            "changes": ["booked"],
        }
    )
    s["audited"]["appointment.booked"].append("53")


def _booking_without_history(s: dict[str, Any]) -> None:
    _rows(s)[50]["changes"] = []


def _booking_cancelled(s: dict[str, Any]) -> None:
    _rows(s)[50]["status"] = "cancelled"


def _diary_rolled_back(s: dict[str, Any]) -> None:
    s["entries"][0].update(note="c0-0", back_pain=0, leg_pain=0)


def _diary_missing(s: dict[str, Any]) -> None:
    s["entries"] = []


def _diary_mixed(s: dict[str, Any]) -> None:
    s["entries"][0]["back_pain"] = 1  # from write 1, the note from write 2


def _note_half_written(s: dict[str, Any]) -> None:
    _notes(s)[2]["plan"] = "v1 P 2"


def _note_older_than_acknowledged(s: dict[str, Any]) -> None:
    _notes(s)[2].update(_note(2, 0) | {"objective": "", "plan": "", "back_pain_before": None})


def _signature_lost(s: dict[str, Any]) -> None:
    _notes(s)[1].update(signed_at=None, signed_by=None, seal="", seal_intact=None)


def _seal_broken(s: dict[str, Any]) -> None:
    _notes(s)[1]["seal_intact"] = False


def _signed_but_not_completed(s: dict[str, Any]) -> None:
    _rows(s)[1]["status"] = "booked"


def _signing_audited_twice(s: dict[str, Any]) -> None:
    s["audited"]["note.sign"].append("101")


def _signed_without_asking(s: dict[str, Any]) -> None:
    _notes(s)[2].update(signed_at=SIGNED_TS, signed_by=70, seal="v1:x", seal_intact=True)
    _rows(s)[2]["status"] = "completed"
    s["audited"]["note.sign"].append("102")


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "acknowledged booking missing": (_drop_booking, "is missing"),
    "refused booking stored": (_refused_booking_kept, "never acknowledged nor lost"),
    "lost booking stored twice": (_lost_booking_twice, "never acknowledged nor lost"),
    "booking without its history": (_booking_without_history, "half-written booking"),
    "acknowledged booking not active": (_booking_cancelled, "is stored as"),
    "diary rolled back": (_diary_rolled_back, "neither the last acknowledged"),
    "diary entry missing": (_diary_missing, "is missing"),
    "diary entry mixes two writes": (_diary_mixed, "mixes writes"),
    "note half-written": (_note_half_written, "half-written"),
    "note older than acknowledged": (_note_older_than_acknowledged, "expected one of"),
    "acknowledged signature missing": (_signature_lost, "signing acknowledged at"),
    "seal broken": (_seal_broken, "broken signature"),
    "signed, appointment not completed": (_signed_but_not_completed, "appointment booked"),
    "signing audited twice": (_signing_audited_twice, "audited 2 times"),
    "signed though never sent": (_signed_without_asking, "no signing was sent"),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_each_kind_of_damage_is_caught(name: str) -> None:
    world, writes, state = _history()
    damage, expected = MUTATIONS[name]
    broken = copy.deepcopy(state)
    damage(broken)
    problems = _problems(world, writes, broken)
    assert any(expected in p for p in problems), problems
