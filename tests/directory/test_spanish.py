"""The directory in Spanish (docs/i18n.md): the search with its "why it matches" reasons, the
public profile, the forms' errors, the modality names and the flare-up plan follow the reader's
language, with numbers, money and days written as Spanish writes them; English is unchanged."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from sciaticare.core import display
from sciaticare.directory.ranking import Candidate, PatientFit, modality_name, score
from sciaticare.directory.sessions import CompletedSession
from sciaticare.web.templatetags.display import modality_names
from tests.directory.factories import MANCHESTER, TherapistProfileFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}

CANDIDATE = Candidate(
    distance_km=2.5,
    radius_km=25,
    sciatica_years=1,
    experience_years=12,
    licence_verified_on=date(2026, 3, 4),
    review_count=3,
    review_mean=4.5,
    modalities=frozenset({"swedish", "prenatal"}),
    next_available_days=2.2,
    outcome_median_relief=2.5,
    outcome_patients=12,
)
FIT = PatientFit(pregnant=True, preferred_modalities=frozenset({"swedish"}))


def test_why_a_therapist_matches_in_spanish_and_unchanged_in_english():
    with translation.override("es"):
        spanish = score(CANDIDATE, FIT).reasons
    with translation.override("en"):
        english = score(CANDIDATE, FIT).reasons

    assert spanish == (
        "a 2,5 km",
        "trata la ciática desde hace 1 año",
        "12 años de ejercicio profesional",
        "licencia verificada el 4 mar 2026",
        "4,5★ en 3 reseñas",
        "ofrece masaje prenatal",
        "ofrece técnicas que usted ha pedido: Masaje sueco",
        "con hora libre en 3 días",
        "los pacientes refieren que el dolor baja una mediana de 2,5 puntos (12 pacientes)",
    )
    assert english == (
        "2.5 km away",
        "treats sciatica for 1 year",
        "12 years in practice",
        "licence verified 4 Mar 2026",
        "4.5★ from 3 reviews",
        "offers prenatal massage",
        "offers techniques you asked for: Swedish massage",
        "free within 3 days",
        "patients report a median 2.5-point drop in pain (12 patients)",
    )


def test_modality_names_follow_the_language():
    with translation.override("es"):
        assert modality_name("deep_tissue") == "Masaje de tejido profundo"
        assert modality_names(["swedish", "sports"]) == "Masaje sueco, Masaje deportivo"
    assert modality_name("deep_tissue") == "Deep tissue massage"


def test_the_search_page_in_spanish(client):
    TherapistProfileFactory(user__first_name="Rosa", languages=["en", "so"], price=Decimal("75.00"))

    body = client.get(
        reverse("directory:search"), {"lat": MANCHESTER[0], "lon": MANCHESTER[1]}, **SPANISH
    ).content.decode()

    assert "<h1>Encuentre un terapeuta de masaje para la ciática</h1>" in body
    assert "1 terapeuta a menos de 25 km de su ubicación" in body
    assert "Por qué le encaja" in body
    assert "<li>a 0,0 km</li>" in body
    assert "<li>trata la ciática desde hace 5 años</li>" in body
    assert "75,00\xa0GBP" in body  # the clinic's currency, as Spain writes it
    assert "60 min" in body
    assert "Licencia verificada" in body
    assert '<option value="swedish">Masaje sueco</option>' in body
    assert "Cualquier idioma" in body
    assert 'data-finding="Buscando dónde está…"' in body  # the location script's words
    assert "Why it matches" not in body


def test_an_unknown_place_is_refused_in_spanish_with_spanish_country_names(client):
    response = client.get(reverse("directory:search"), {"place": "Manchster"}, **SPANISH)

    body = response.content.decode()
    assert response.status_code == 400
    assert "No conocemos ningún lugar llamado «Manchster»" in body
    assert (
        '¿Quería decir <a href="?place=Manchester%2C%20Reino%20Unido">'
        "Manchester, Reino Unido</a>" in body
    )


def test_the_public_profile_in_spanish(client):
    profile = TherapistProfileFactory(
        user__first_name="Rosa", languages=["en", "so"], price=Decimal("75.00")
    )

    body = client.get(reverse("directory:profile", args=[profile.pk]), **SPANISH).content.decode()

    with translation.override("es"):
        verified = display.day(profile.licence_verified_on, "medium")
    assert f"Licencia verificada el {verified}" in body
    assert "Trata la ciática y el dolor lumbar desde hace 5 años" in body
    assert "10 años de ejercicio profesional" in body
    assert "Habla: inglés, somalí" in body
    assert "<li>Masaje sueco</li>" in body
    assert "Sciatica relief massage: 60 min, 75,00\xa0GBP" in body  # its name as typed
    assert "Aún no hay reseñas." in body


def test_a_spanish_speaking_patients_plan_and_its_message(client):
    patient = PatientFactory(language="es")
    profile = TherapistProfileFactory(user__first_name="Rosa", user__last_name="Lind")
    client.force_login(patient)

    added = client.post(
        reverse("directory:plan_add"), {"therapist": profile.pk}, follow=True
    ).content.decode()

    assert "Rosa Lind es ahora su terapeuta preferente en su plan para crisis." in added
    assert "<h1>Su plan para crisis</h1>" in added
    assert "Preferente" in added


def test_a_spanish_speaking_therapists_upload_is_refused_in_spanish(client):
    profile = TherapistProfileFactory(licence=False)
    profile.user.language = "es"
    profile.user.save(update_fields=["language"])
    client.force_login(profile.user)

    refused = client.post(
        reverse("directory:my_credentials"),
        {
            "kind": "licence",
            "title": "LMT",
            "number": "N-1",
            "issuing_body": "CNHC",
            "expires_on": "2099-01-01",
            "document": SimpleUploadedFile("x.pdf", b"<html>no</html>", "application/pdf"),
        },
    )

    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Este archivo no es un PDF, PNG ni JPEG" in body
    assert "Número de licencia o certificado" in body
    assert "Sus licencias y certificados" in body


def test_a_session_to_review_is_named_as_each_language_writes_it():
    session = CompletedSession(
        id=1,
        patient_id=1,
        therapist_user_id=2,
        ended_at=datetime(2025, 7, 12, 10, 0, tzinfo=UTC),
        started_at=datetime(2025, 7, 12, 9, 0, tzinfo=UTC),
        time_zone="Europe/London",
    )

    with translation.override("en"):
        assert session.label("Rosa Lind") == "Sat 12 Jul 2025, 10:00 BST with Rosa Lind"
    with translation.override("es"):
        assert session.label("Rosa Lind") == "sábado, 12 jul 2025, 10:00 BST con Rosa Lind"
