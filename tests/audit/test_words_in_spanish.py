"""The access history's words in the reader's language (docs/i18n.md): audit/actions.py and
audit/history.py are pure, their words English constants translated when shown."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from sciaticare.audit import actions, history
from sciaticare.records import services
from tests.records.conftest import clinic_world

__all__ = ["clinic_world"]  # the fixture, imported for these tests

T0 = datetime(2026, 12, 3, 10, 2, tzinfo=UTC)


def _saves(count: int) -> history.Visit:
    events = [
        history.Event(
            at=T0 + timedelta(seconds=4 * i),
            actor_id=7,
            actor="Ana",
            action="note.update",
            object_key="note:1",
        )
        for i in range(count)
    ]
    return history.visits(events)[0]


def test_every_action_has_spanish_words_and_english_stays_as_it_was():
    with translation.override("es"):
        spanish = {code: actions.words_for(code) for code in actions.WORDS}
        assert actions.words_for("note.view") == "abrió su nota de sesión"
        assert actions.words_for("billing.credit_note") == (
            "le emitió una factura rectificativa (la corrección de una factura)"
        )
        assert actions.words_for("new.code") == "hizo algo con sus historiales (new.code)"
        assert _saves(12).times == "12 guardados"
    with translation.override("en"):
        assert actions.words_for("note.view") == "opened your session note"
        assert actions.words_for("new.code") == "did something with your records (new.code)"
        assert _saves(12).times == "12 saves"
    untranslated = [code for code, words in spanish.items() if words == actions.WORDS[code]]
    assert untranslated == []


@pytest.mark.django_db
def test_a_spanish_speaking_patient_reads_who_opened_their_record_in_spanish(client, clinic_world):
    therapist, patient = clinic_world["people"]["therapist"], clinic_world["people"]["patient"]
    appointment_id = clinic_world["appointment"].pk
    for i in range(3):
        services.save_draft(
            therapist_user=therapist, appointment_id=appointment_id, values={"plan": f"v{i}"}
        )
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    patient.language = "es"
    patient.save(update_fields=["language"])
    client.force_login(patient)

    body = client.get(reverse("records:access_history")).content.decode()

    assert "Editó su nota de sesión" in body
    assert "(4 guardados)" in body
    assert "Firmó su nota de sesión" in body
    assert "Edited your session note" not in body
