"""The intake in Spanish (docs/i18n.md): a Spanish-speaking patient's intake pages, form errors
and questionnaires, and a Spanish-speaking therapist's brief, in Spanish words and Spanish days;
the shipped questionnaires' words all translated and scored the same in both languages."""

from __future__ import annotations

import json
from datetime import date, datetime
from html import unescape
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from sciaticare.intake import services
from sciaticare.intake.models import BAND_WORDS, Intake, QuestionnaireResponse
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.texts import SHIPPED_TEXTS
from sciaticare.intake.triage.questions import QUESTIONS
from sciaticare.intake.triage.reasons import REASONS
from tests.factories import PatientFactory, TherapistFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 12, 5, 12, 0, tzinfo=ZoneInfo("Europe/London"))


def _text(response) -> str:
    return unescape(response.content.decode())


def test_a_spanish_patients_intake_page_is_in_spanish_with_spanish_days(client):
    patient = PatientFactory(language="es")
    intake = make_intake(
        patient,
        onset_date=date(2025, 11, 14),
        yes={"weight_loss": True, "anticoagulants": True},
    )
    Intake.objects.filter(pk=intake.pk).update(created_at=NOON)
    client.force_login(patient)

    body = _text(client.get(reverse("intake:home"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Su cuestionario inicial" in body
    assert "Dolor desde el 14 de noviembre de 2025" in body
    assert "última actualización el 5 de diciembre de 2026" in body
    # The level, its advice and its reason, in Spanish; none of the English.
    assert "Consulte a un médico en un plazo de unas dos semanas, antes del masaje." in body
    assert "Perder peso sin intentarlo debe revisarlo un médico" in body
    assert REASONS["weight_loss"].plain not in body
    assert "See a doctor" not in body
    # The body map's regions in Spanish words.
    assert "Nalga derecha, Pantorrilla derecha" in body
    assert 'aria-label="Dónde le duele, Nalga derecha, Pantorrilla derecha"' in body


def test_a_saved_intake_is_shown_in_the_readers_language_whatever_it_was_saved_in(client):
    patient = PatientFactory(language="en")
    with translation.override("es"):
        intake = make_intake(patient, yes={"calf_swelling": True, "chest_symptoms": True})
    # The record keeps the English, whatever the language it was saved in.
    assert "pulmonary embolism" in intake.triage_advice
    Intake.objects.filter(pk=intake.pk).update(created_at=NOON)
    patient.language = "es"
    patient.save(update_fields=["language"])
    client.force_login(patient)

    body = _text(client.get(reverse("intake:detail", args=[intake.pk])))

    assert "Cuestionario inicial del 5 de diciembre de 2026, 12:00" in body
    assert "Vaya ahora mismo a urgencias de un hospital (o llame al número de emergencias)." in body
    assert (
        "posible embolia pulmonar (un coágulo de sangre en el pulmón). Es una emergencia." in body
    )
    assert "pulmonary embolism" not in body
    # The red alert that leads every page of an emergency result, in Spanish.
    assert body.index('id="emergency"') < body.index("<header")
    assert "<strong>112</strong></a> (UE)" in body


def test_the_intake_form_is_in_spanish_and_says_its_errors_in_spanish(client):
    client.force_login(PatientFactory(language="es"))

    page = _text(client.get(reverse("intake:form")))
    assert "Explique su dolor" in page
    assert "¿Está embarazada?" in page
    assert "Pantorrilla izquierda" in page
    assert "Lancinante, como una descarga" in page

    response = client.post(
        reverse("intake:form"), {"age": "44", "onset_date": "2999-01-01", "q_fever": "maybe"}
    )

    assert response.status_code == 422
    body = _text(response)
    assert "Algunas respuestas necesitan su atención: están marcadas más abajo." in body
    assert "El dolor no puede haber empezado en el futuro." in body
    assert "Responda sí o no." in body
    assert Intake.objects.count() == 0


def test_the_spanish_intake_form_triages_like_the_english(client):
    patient = PatientFactory(language="es")
    client.force_login(patient)
    data = {
        "age": "44",
        "onset_date": "2026-01-01",
        "back_pain_now": "4",
        "back_pain_average": "4",
        "back_pain_worst": "6",
        "leg_pain_now": "6",
        "leg_pain_average": "5",
        "leg_pain_worst": "8",
        **{f"q_{q.code}": "no" for q in QUESTIONS},
        "q_foot_drop": "yes",
    }

    response = client.post(reverse("intake:form"), data, follow=True)

    assert Intake.objects.get(patient=patient).triage_level == "urgent"
    body = _text(response)
    assert "Su cuestionario inicial se ha guardado." in body
    assert "Consulte a un médico hoy. Ningún masaje hasta que le haya visto un médico." in body


def test_a_spanish_speaking_therapist_reads_the_brief_in_clinical_spanish(client):
    patient = PatientFactory()
    make_intake(
        patient,
        yes={"cancer_history": True, "weight_loss": True, "anticoagulants": True},
        regions=["left_shin", "left_top_of_foot"],
    )
    therapist = TherapistFactory(language="es")
    services.share_intake(patient=patient, therapist_email=therapist.email)
    client.force_login(therapist)

    body = _text(client.get(reverse("intake:brief", args=[patient.pk])))

    assert "posibles metástasis vertebrales" in body
    assert "Anticoagulantes, trastorno de la coagulación o plaquetas bajas" in body
    assert "Se parece al patrón L5" in body
    assert "(agudo, ACP 2017)" in body
    assert "No trate: el cliente debe ver antes a un médico." in body
    assert REASONS["possible_spinal_metastases"].clinical not in body


def test_the_questionnaire_page_is_in_spanish_and_scores_as_in_english(client):
    client.force_login(PatientFactory(language="es"))

    page = _text(client.get(reverse("intake:questionnaire", args=["rmdq"])))
    assert "Cuestionario de discapacidad de Roland-Morris (24 frases)" in page
    assert "Me quedo en casa la mayor parte del tiempo por mi espalda." in page
    assert "Sí, esto es cierto para mí hoy" in page
    assert "traducción propia de Sciaticare, no la versión española validada" in page
    assert "I stay at home" not in page

    answers = {f"rmdq-{n}": "true" if n % 3 == 0 else "false" for n in range(1, 25)}
    response = client.post(reverse("intake:questionnaire", args=["rmdq"]), answers, follow=True)

    assert QuestionnaireResponse.objects.get().score == 8.0
    assert "Cuestionario de discapacidad de Roland-Morris (24 frases): 8" in _text(response)


def test_a_partial_questionnaire_is_refused_in_spanish(client):
    client.force_login(PatientFactory(language="es"))

    response = client.post(reverse("intake:questionnaire", args=["peg"]), {"peg-1": "6"})

    assert response.status_code == 422
    body = _text(response)
    assert body.count("Responda a esta pregunta.") == 2
    assert "Todas las preguntas de este cuestionario necesitan una respuesta." in body
    assert "0 = No interfiere" in body


def test_every_word_of_the_shipped_questionnaires_is_marked_and_translated():
    def texts(items):
        for item in items or ():
            yield item.get("text")
            yield from texts(item.get("item"))

    for code, instrument in INSTRUMENTS.items():
        if not instrument.ships_text:
            continue
        path = resources.files("sciaticare.intake") / "questionnaires" / f"{code}.json"
        resource = json.loads(path.read_text(encoding="utf-8"))
        words = [resource["copyright"], *(t for t in texts(resource["item"]) if t)]
        for text in words:
            assert text in SHIPPED_TEXTS, (code, text)
            with translation.override("es"):
                assert translation.gettext(text) != text, (code, text)


def test_every_band_an_instrument_gives_has_words_in_both_languages():
    bands = {band.label for i in INSTRUMENTS.values() for band in i.bands}
    bands |= {"low", "medium", "high"}  # STarT Back's, from its own rule
    assert bands == set(BAND_WORDS)
    with translation.override("es"):
        assert str(BAND_WORDS["moderate"]) == "moderada"
        assert str(BAND_WORDS["high"]) == "alto"
