"""The web app's pages in Spanish (docs/i18n.md): the home page, the navigation, the dashboard
with its days on the reader's clock, the error and offline pages and the app manifest follow
the reader's language; English stays as it was."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from sciaticare.directory.models import FlareUpPlanEntry
from tests.factories import AppointmentFactory, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_the_home_page_and_its_emergency_advice_in_spanish(client):
    body = client.get(reverse("web:home"), **SPANISH).content.decode()

    assert "Alivio de la ciática con masaje terapéutico, con seguridad" in body
    assert "<strong>Vaya ahora mismo a urgencias de un hospital</strong> si nota" in body
    assert "debilidad nuevos en las dos piernas" in body
    assert "no diagnostica ni sustituye a un médico" in body
    nav = body.split("<nav", 1)[1].split("</nav>", 1)[0]
    for label in ("Comprobación de síntomas", "Buscar terapeuta", "Iniciar sesión", "Crear cuenta"):
        assert label in nav
    assert "Find a therapist" not in body
    assert "cura" not in body.lower()  # massage is never said to cure sciatica, in Spanish either


def test_a_patients_dashboard_in_spanish_with_the_days_as_spanish_writes_them(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    patient = PatientFactory(language="es", first_name="Lucía")
    booked = AppointmentFactory(patient=patient, start=datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    FlareUpPlanEntry.objects.create(patient=patient, therapist=booked.therapist, rank=0)
    client.force_login(patient)

    body = client.get(reverse("web:dashboard")).content.decode()

    assert "Hola, Lucía" in body
    assert "Sus próximas sesiones" in body
    assert "sábado, 5 dic, 10:00 GMT" in body  # Europe/London in December
    assert "Tengo una crisis de dolor" in body
    assert "Diario del dolor" in body.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert "Your next sessions" not in body


def test_a_therapists_dashboard_in_spanish(client):
    therapist = TherapistFactory(language="es")
    client.force_login(therapist)

    body = client.get(reverse("web:dashboard")).content.decode()

    assert "No hay sesiones hoy." in body
    assert "Notas por firmar" in body
    nav = body.split("<nav", 1)[1].split("</nav>", 1)[0]
    for label in ("Semana", "Perfil en el directorio", "Cuenta"):
        assert label in nav
    # The two calendar links say what each does (a feed to subscribe to; one's own calendar).
    assert "Suscribirse a sus sesiones (calendario por suscripción)" in body
    assert "Conectar su propio calendario (horas ocupadas, sesiones anotadas en él)" in body


def test_a_therapists_dashboard_tells_the_two_calendars_apart(client):
    therapist = TherapistFactory()
    client.force_login(therapist)

    body = client.get(reverse("web:dashboard")).content.decode()

    feed = reverse("scheduling:calendar")
    own = reverse("integrations:calendar")
    assert f'<a href="{feed}">Subscribe to your sessions (calendar feed)</a>' in body
    assert (
        f'<a href="{own}">Connect your own calendar (busy times, sessions written in)</a>' in body
    )


def test_the_english_dashboard_is_unchanged(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    patient = PatientFactory(first_name="Lucy")
    AppointmentFactory(patient=patient, start=datetime(2026, 12, 5, 10, 0, tzinfo=UTC))
    client.force_login(patient)

    body = client.get(reverse("web:dashboard")).content.decode()

    assert "Hello, Lucy" in body
    assert "Sat 5 Dec, 10:00 GMT" in body


def test_error_and_offline_pages_in_spanish(client):
    missing = client.get("/no-such-page/", **SPANISH)
    assert missing.status_code == 404
    assert "Página no encontrada" in missing.content.decode()

    offline = client.get(reverse("web:offline"), **SPANISH).content.decode()
    assert "No tiene conexión" in offline
    assert "vaya ahora mismo a urgencias de un hospital" in offline

    with translation.override("es"):
        crashed = render_to_string("500.html")
    assert '<html lang="es">' in crashed
    assert "Algo ha fallado por nuestra parte" in crashed
    with translation.override("en"):
        assert '<html lang="en">' in render_to_string("500.html")


def test_the_app_manifest_follows_the_browsers_language(client):
    spanish = client.get(reverse("web:manifest"), **SPANISH)
    english = client.get(reverse("web:manifest"), HTTP_ACCEPT_LANGUAGE="en-GB")

    assert json.loads(spanish.content)["lang"] == "es"
    assert json.loads(spanish.content)["description"].startswith("Anote su dolor de espalda")
    assert json.loads(spanish.content)["name"] == "Sciaticare"
    assert json.loads(english.content)["lang"] == "en"
    assert json.loads(english.content)["description"].startswith("Log your back and leg pain")
    # A shared cache keeps one copy per language.
    assert "Accept-Language" in spanish["Vary"]


def test_every_emergency_sentence_sends_to_a_hospitals_emergency_department():
    """In Spain "un servicio de urgencias" also names primary-care urgent centres, which cannot
    treat cauda equina syndrome: every page says what the symptom check says."""
    catalogues = Path(__file__).resolve().parents[2] / "src" / "sciaticare"
    for path in catalogues.glob("*/locale/es/LC_MESSAGES/django.po"):
        text = " ".join(path.read_text().replace('"\n"', "").split())
        assert "servicio de urgencias" not in text, path
        assert "alrededor de las nalgas" not in text, path
