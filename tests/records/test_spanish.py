"""Session notes for Spanish-speaking therapists, admins and clients (docs/i18n.md): the editor,
its refusals and warnings, the client's summary with its home-care advice, in Spanish and with
Spanish days; the stored note keeps what was chosen, whoever reads it."""

import importlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from sciaticare.records import services
from sciaticare.records.models import BUILT_IN_HOME_CARE, RETIRED_HOME_CARE, HomeCareAdvice
from tests.records.conftest import draft_note, past_appointment, signed_note

pytestmark = pytest.mark.django_db

EDITOR_SCRIPT = Path(__file__).resolve().parents[2] / "src/sciaticare/records/static/records"
EMERGENCY_LINE = BUILT_IN_HOME_CARE[-1]
SUNDAY_EVENING = datetime(2026, 12, 6, 16, 0, tzinfo=UTC)


def _speaks_spanish(user):
    user.language = "es"
    user.save(update_fields=["language"])
    return user


def test_the_built_in_home_care_lines_are_the_ones_the_migration_stored():
    migration = importlib.import_module("sciaticare.records.migrations.0003_home_care_library")
    retired = importlib.import_module(
        "sciaticare.records.migrations.0007_exercises_leave_the_home_care_library"
    )
    assert tuple(retired.EXERCISE_LINES) == RETIRED_HOME_CARE
    assert (
        tuple(line for line in migration.LINES if line not in RETIRED_HOME_CARE)
        == BUILT_IN_HOME_CARE
    )
    assert set(HomeCareAdvice.objects.filter(therapist=None).values_list("text", flat=True)) == set(
        BUILT_IN_HOME_CARE
    )


def test_the_editor_is_in_the_therapists_language(client, clinic_world):
    therapist = _speaks_spanish(clinic_world["people"]["therapist"])
    client.force_login(therapist)

    page = client.get(reverse("records:note", args=[clinic_world["appointment"].pk]))

    text = page.content.decode()
    assert '<html lang="es">' in text
    for words in (
        "Nota de sesión · Odalys Fenwick",
        "Hallazgos objetivos",
        "Dolor de espalda antes (0–10)",
        ">Suave<",  # a pressure
        "Manténgase activo: camine un poco más cada día",  # a built-in home-care line
        "Los cambios se guardan automáticamente.",
        'data-no-connection="No se ha guardado: no hay conexión.',
        "Del cuestionario inicial del ",  # the prefilled account, written for this therapist
    ):
        assert words in text, words
    # The line is offered in Spanish but kept as the library holds it.
    assert f'value="{BUILT_IN_HOME_CARE[0]}"' in text
    assert "Objective findings" not in text


def test_the_pressure_warning_and_the_refusal_to_sign_are_in_spanish(client, clinic_world):
    therapist = _speaks_spanish(clinic_world["people"]["therapist"])
    draft_note(clinic_world, pressure="firm")
    client.force_login(therapist)
    note = reverse("records:note", args=[clinic_world["appointment"].pk])

    page = client.get(note).content.decode()
    signing = client.post(reverse("records:sign", args=[clinic_world["appointment"].pk]))

    warning = "Anticoagulantes o un trastorno de la coagulación: sin presión profunda ni enérgica."
    assert warning in page
    assert signing.status_code == 302
    after = client.get(note).content.decode()
    assert "La presión elegida no es compatible con las precauciones del cliente" in after


def test_a_refused_autosave_says_why_in_spanish(client, clinic_world):
    therapist = _speaks_spanish(clinic_world["people"]["therapist"])
    client.force_login(therapist)

    answer = client.post(
        reverse("records:autosave", args=[clinic_world["appointment"].pk]),
        {"adverse_event": "none", "minutes": "9999"},
        HTTP_HX_REQUEST="true",
    )

    assert answer.status_code == 422
    assert "No se ha guardado: Minutos de trabajo manual:" in answer.content.decode()


def test_the_clients_summary_is_in_spanish_with_the_advice_in_spanish(
    client, clinic_world, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: SUNDAY_EVENING)
    patient = _speaks_spanish(clinic_world["people"]["patient"])
    therapist = clinic_world["people"]["therapist"]
    appointment = past_appointment(
        clinic_world["therapist"], patient, hours_ago=30, location=clinic_world["location"]
    )  # Saturday 5 December, 10:00
    services.start_note(therapist_user=therapist, appointment_id=appointment.pk)
    services.save_draft(
        therapist_user=therapist,
        appointment_id=appointment.pk,
        values={"home_care": [BUILT_IN_HOME_CARE[1], EMERGENCY_LINE, "Walk the dog daily"]},
    )
    services.sign_note(therapist_user=therapist, appointment_id=appointment.pk)
    client.force_login(patient)

    page = client.get(reverse("records:note", args=[appointment.pk])).content.decode()

    assert "Su sesión del 5 de diciembre de 2026" in page
    assert "En casa:" in page
    assert "Una bolsa de calor en la parte baja de la espalda" in page
    # The emergency advice says what the English says: new saddle numbness or bladder or
    # bowel changes, go to an emergency department.
    assert (
        "Si aparece un adormecimiento nuevo en la zona de las nalgas y el ano o en los genitales, "
        "o cambios en la vejiga o el intestino, vaya a urgencias de un hospital."
    ) in page
    assert "Walk the dog daily" in page  # a therapist's own line, as written
    # The signed record keeps the lines as they were chosen.
    assert appointment.note.home_care[1] == EMERGENCY_LINE


def test_a_clinic_admin_is_asked_for_a_reason_in_spanish(client, clinic_world):
    signed_note(clinic_world)
    admin = _speaks_spanish(clinic_world["people"]["clinic_admin"])
    client.force_login(admin)

    page = client.get(reverse("records:note", args=[clinic_world["appointment"].pk]))

    assert "¿Por qué abre esta historia clínica?" in page.content.decode()


def test_the_therapists_session_list_writes_days_in_spanish(client, clinic_world, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: SUNDAY_EVENING)
    therapist = _speaks_spanish(clinic_world["people"]["therapist"])
    past_appointment(
        clinic_world["therapist"],
        clinic_world["people"]["other_patient"],
        hours_ago=30,
        location=clinic_world["location"],
    )
    client.force_login(therapist)

    page = client.get(reverse("records:sessions")).content.decode()

    assert "Notas de sesión" in page
    assert re.search(r"5 dic 2026, 10:00 (GMT|UTC)", page), page


def test_the_note_editors_script_has_no_words_of_its_own():
    code = re.sub(r"//[^\n]*", "", (EDITOR_SCRIPT / "note-editor.js").read_text())
    literals = re.findall(r'"((?:[^"\\]|\\.)*)"', code)
    assert [text for text in literals if re.search(r"[A-Za-z]{2,} +[A-Za-z]{2,}", text)] == []
