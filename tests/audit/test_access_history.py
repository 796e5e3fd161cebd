"""Issue 13, points 20 and 19 (access history): the patient's access history shows one line
per visit, not one per autosave, and every action code the audit log can hold in words.

The audit log itself stays complete (every autosave is a row); only the page groups."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from sciaticare.audit import actions, history
from sciaticare.audit.models import AuditEvent
from sciaticare.records import selectors as records_selectors
from sciaticare.records import services
from tests.records.conftest import clinic_world

__all__ = ["clinic_world"]  # the fixture, imported for these tests

SRC = Path(__file__).resolve().parents[2] / "src" / "sciaticare"
T0 = datetime(2026, 12, 3, 10, 2, tzinfo=UTC)


def _event(seconds: float, action: str = "note.update", actor: int = 7, obj: str = "note:1"):
    return history.Event(
        at=T0 + timedelta(seconds=seconds),
        actor_id=actor,
        actor=f"Person {actor}",
        action=action,
        object_key=obj,
    )


def test_a_sitting_of_autosaves_is_one_visit():
    # Two minutes of editing: the draft's creation and 32 autosaves.
    events = [_event(0, "note.create")] + [_event(4 * i) for i in range(1, 33)]

    found = history.visits(events)

    assert len(found) == 1
    assert (found[0].words, found[0].times) == ("edited your session note", "33 saves")
    assert (found[0].first, found[0].last) == (T0, T0 + timedelta(seconds=128))


def test_a_gap_of_thirty_minutes_starts_a_new_visit():
    found = history.visits([_event(0), _event(29 * 60), _event(29 * 60 + 30 * 60)])

    assert [v.count for v in found] == [1, 2]  # latest first


def test_other_people_objects_and_kinds_are_other_visits():
    found = history.visits(
        [
            _event(0),
            _event(5, actor=8),
            _event(10, obj="note:2"),
            _event(15, action="note.view"),
            _event(20),
        ]
    )

    assert sorted((v.actor, v.kind, v.count) for v in found) == [
        ("Person 7", "note.update", 1),
        ("Person 7", "note.update", 2),
        ("Person 7", "note.view", 1),
        ("Person 8", "note.update", 1),
    ]


def _codes_used_in_src() -> set[str]:
    """Every action code record_event is given in src/: literal codes, and appointment.<kind>
    for each kind the scheduling services record."""
    codes: set[str] = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'action=\s*"([a-z_]+\.[a-z_.]+)"', text))
        for call in re.findall(
            r"record_change\(\s*[\w.]+,\s*([^)]*?),\s*[\w.]+(?:,|\))", text, re.S
        ):
            codes |= {f"appointment.{kind}" for kind in re.findall(r'"([a-z_]+)"', call)}
        if "scheduling" in path.parts:  # the kinds of appointment change it records
            codes |= {f"appointment.{kind}" for kind in re.findall(r'kind="([a-z_]+)"', text)}
    assert 'action=f"appointment.{kind}"' in (SRC / "scheduling/services/booking.py").read_text()
    return codes


def test_every_action_code_used_in_src_has_words():
    used = _codes_used_in_src()

    assert "note.view" in used  # the scan finds literal codes...
    assert {"appointment.booked", "appointment.late_cancelled", "appointment.no_show"} <= used
    assert sorted(used - set(actions.WORDS)) == []  # ...and every one has words


def test_words_read_as_words():
    assert actions.words_for("note.view") == "opened your session note"
    for code, words in actions.WORDS.items():
        assert "." not in words
        assert "_" not in words, code


@pytest.mark.django_db
def test_the_page_shows_one_line_for_a_sitting_and_words_for_codes(client, clinic_world):
    therapist, patient = clinic_world["people"]["therapist"], clinic_world["people"]["patient"]
    appointment_id = clinic_world["appointment"].pk
    for i in range(33):  # two minutes of autosaving, each an audit row
        services.save_draft(
            therapist_user=therapist, appointment_id=appointment_id, values={"plan": f"v{i}"}
        )
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    admin = clinic_world["people"]["clinic_admin"]
    records_selectors.read_note(viewer=admin, appointment_id=appointment_id, reason="Complaint")
    client.force_login(patient)

    body = client.get(reverse("records:access_history")).content.decode()

    rows = re.findall(r"<tr><td>.*?</tr>", body)
    assert AuditEvent.objects.filter(patient=patient, action="note.update").count() == 33
    assert len([r for r in rows if "Edited your session note" in r]) == 1
    assert "(34 saves)" in body  # the draft's creation and its 33 saves
    assert "Signed your session note" in body
    assert "Opened your session note" in body
    assert "note.update" not in body
    assert "note.view" not in body
