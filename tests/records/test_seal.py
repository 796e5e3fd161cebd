"""The seal of a signed note: any change to sealed content breaks it; signing stores it."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.records.models import SessionNote
from sciaticare.records.seal import SEALED_FIELDS, note_seal, seal_intact
from tests.records.conftest import signed_note

SIGNED = datetime(2026, 3, 2, 17, 5, 9, 123456, tzinfo=UTC)
VALUES = {
    "appointment_id": 7,
    "patient_id": 3,
    "therapist_id": 2,
    "subjective": "Leg pain worse after sitting.",
    "objective": "Tender piriformis.",
    "assessment": "Settling.",
    "assessment_shared": False,
    "plan": "Weekly.",
    "regions": ["left_buttock"],
    "techniques": ["swedish"],
    "pressure": "light",
    "pressure_warning_acknowledged": False,
    "minutes": 55,
    "back_pain_before": 6,
    "back_pain_after": 4,
    "leg_pain_before": 7,
    "leg_pain_after": 5,
    "adverse_event": "none",
    "adverse_event_detail": "",
    "home_care": ["Walk daily."],
    "signed_at": SIGNED,
    "signed_by_id": 9,
}


def test_the_seal_is_versioned_and_stable():
    seal = note_seal(VALUES)
    assert seal.startswith("v1:")
    assert len(seal) == 3 + 64
    assert note_seal(dict(reversed(list(VALUES.items())))) == seal
    assert seal_intact(VALUES, seal)


@pytest.mark.parametrize(
    ("field", "changed"),
    [
        ("subjective", "Leg pain better after sitting."),
        ("plan", ""),
        ("regions", ["right_buttock"]),
        ("back_pain_after", 3),
        ("leg_pain_before", None),
        ("assessment_shared", True),
        ("signed_at", SIGNED.replace(microsecond=0)),
        ("signed_by_id", 10),
        ("patient_id", 4),
    ],
)
def test_changing_one_sealed_field_breaks_the_seal(field, changed):
    assert not seal_intact({**VALUES, field: changed}, note_seal(VALUES))


def test_an_empty_stored_seal_is_never_intact_and_a_missing_field_is_an_error():
    assert not seal_intact(VALUES, "")
    with pytest.raises(KeyError):
        note_seal({k: v for k, v in VALUES.items() if k != "plan"})


@given(field=st.sampled_from(SEALED_FIELDS), text=st.text(min_size=1))
def test_any_text_appended_to_any_field_breaks_the_seal(field, text):
    changed = {**VALUES, field: f"{VALUES[field]}{text}"}
    assert not seal_intact(changed, note_seal(VALUES))


@pytest.mark.django_db
def test_signing_stores_a_seal_that_survives_the_database(clinic_world):
    note = signed_note(clinic_world)
    stored = SessionNote.objects.get(pk=note.pk)
    assert stored.seal.startswith("v1:")
    assert stored.is_seal_intact


@pytest.mark.django_db(transaction=True)
def test_a_change_behind_the_triggers_back_shows_as_a_broken_seal(client, clinic_world):
    note = signed_note(clinic_world)
    # What a hand edit or a restored tampered backup would do: lift the trigger, change the row.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE records_sessionnote DISABLE TRIGGER records_sessionnote_frozen"
            )
        else:
            cursor.execute("DROP TRIGGER records_sessionnote_frozen")
        cursor.execute("UPDATE records_sessionnote SET plan = 'rewritten' WHERE id = %s", [note.pk])
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE records_sessionnote ENABLE TRIGGER records_sessionnote_frozen"
            )

    assert not SessionNote.objects.get(pk=note.pk).is_seal_intact
    client.force_login(clinic_world["people"]["therapist"])
    page = client.get(f"/notes/{note.appointment_id}/")
    assert page.status_code == 200
    assert "seal broken" in page.content.decode()
