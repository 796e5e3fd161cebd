"""Bringing in records on "Your data" (issue 18, point 3, found by a newcomer): a patient uploads
a FHIR R4 Bundle file, the same import as the API's runs (``services_standard.
import_fhir_bundle``), and the page says what was added and every resource skipped with why,
in the patient's language; a file that cannot be read is a 413 or 422 naming the problem,
never a 500. The clock is frozen: what is "the future" depends on it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.intake.models import Episode, QuestionnaireResponse
from sciaticare.interop import services
from sciaticare.outcomes.models import PainEntry
from tests.factories import PatientFactory, TherapistFactory
from tests.interop.test_export_import import history
from tests.interop.test_standard_import import NOW, REAL_NOW, ehr_bundle, fhirclient_bundle

pytestmark = pytest.mark.django_db
URL = reverse("interop:import_fhir")


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _file(data: object, name: str = "records.json", content_type: str = "application/json"):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return SimpleUploadedFile(name, raw, content_type)


def _upload(client, patient, data: object, **kwargs):
    client.force_login(patient)
    return client.post(URL, {"bundle": _file(data, **kwargs)})


def test_your_data_offers_the_import_in_plain_words(client):
    patient = PatientFactory()
    client.force_login(patient)

    page = client.get(reverse("interop:your_data")).content.decode()

    assert "Bring in records from another system" in page
    assert f'action="{URL}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page
    assert 'accept=".json,application/json"' in page
    assert "Nothing is overwritten" in page
    assert "up to 2.5 MB" in page  # the API's own limit, DATA_UPLOAD_MAX_MEMORY_SIZE
    # The programs' line stays, said for programs.
    assert "For programs: the same import is" in page


def test_a_fhirclient_bundle_file_is_brought_in_and_counted(client):
    patient = PatientFactory()

    response = _upload(client, patient, fhirclient_bundle())

    assert response.status_code == 200, response.content
    page = response.content.decode()
    assert "What was added to your record" in page
    assert "2 days of pain scores" in page
    assert "1 questionnaire" in page
    assert "1 episode of sciatica" in page
    assert "was left out" not in page
    assert "were left out" not in page
    assert PainEntry.objects.filter(patient=patient).count() == 2
    assert QuestionnaireResponse.objects.get(patient=patient).instrument == "peg"
    assert Episode.objects.get(patient=patient).started_on == date(2026, 2, 20)
    # Audited as the API's import is, by the same service.
    event = AuditEvent.objects.get(action="fhir.import", patient=patient)
    assert (event.actor, event.reason) == (patient, "from another system: 4 added, 0 skipped")


def test_every_skipped_resource_is_listed_with_why_and_a_second_time_adds_nothing(client):
    patient = PatientFactory()

    page = _upload(client, patient, ehr_bundle()).content.decode()

    assert "3 items were left out" in page
    for resource in ("Observation/obs-103", "Observation/bp-1", "Encounter/enc-1"):
        assert f"<code>{resource}</code>" in page
    assert "back or leg" in page
    assert "72514-3" in page

    again = _upload(client, patient, ehr_bundle()).content.decode()

    assert "0 days of pain scores" in again
    assert again.count("already imported") == 3  # the day's two scores and the episode
    assert PainEntry.objects.filter(patient=patient).count() == 1


def test_an_ongoing_episode_arriving_while_yours_is_open_says_why_it_is_closed(client):
    patient = PatientFactory()
    Episode.objects.create(patient=patient, started_on=date(2026, 1, 5))

    page = _upload(client, patient, fhirclient_bundle()).content.decode()

    assert (
        "The episode from 20 Feb 2026 was imported as closed, because you already have an "
        "open episode (from 5 Jan 2026)." in page
    )
    assert Episode.objects.get(patient=patient, started_on=date(2026, 2, 20)).closed_at == NOW


def test_a_sciaticare_record_file_goes_through_the_whole_or_nothing_import(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", REAL_NOW)  # history() dates some rows by the clock
    mine = history()
    newcomer = PatientFactory()

    response = _upload(client, newcomer, services.export_patient(patient=mine, viewer=mine))

    assert response.status_code == 200, response.content
    assert "1 day of pain scores" in response.content.decode()
    assert "kept as history you can read" in response.content.decode()


@pytest.mark.parametrize(
    ("raw", "status", "why"),
    [
        (b"{", 422, "The file is not JSON"),
        (b"\xff\xfe\x00junk", 422, "The file is not JSON"),
        (b"%PDF-1.7 a scan", 422, "The file is not JSON"),
        (b"[]", 422, "not a FHIR Bundle"),
        (b'{"resourceType": "Patient", "id": "p"}', 422, "not a FHIR Bundle"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', 422, "no entries"),
        (b'{"resourceType": "Bundle", "type": "message", "entry": [{}]}', 422, "Bundle.type"),
        (b"", 422, "The submitted file is empty"),
    ],
    ids=["truncated", "binary", "pdf", "list", "patient", "no-entries", "message", "empty"],
)
def test_a_file_that_cannot_be_read_is_a_4xx_saying_why(client, raw, status, why):
    patient = PatientFactory()

    response = _upload(client, patient, raw)

    assert response.status_code == status
    page = response.content.decode()
    assert "Nothing was brought in." in page
    assert why in page, page
    assert not PainEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="fhir.import").exists()


def test_no_file_chosen_is_a_422(client):
    client.force_login(PatientFactory())

    response = client.post(URL, {})

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


def test_a_file_over_the_apis_limit_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    patient = PatientFactory()

    response = _upload(client, patient, ehr_bundle())

    assert response.status_code == 413
    assert "The file is larger than" in response.content.decode()
    assert not PainEntry.objects.exists()


def test_only_patients_bring_in_records(client):
    assert client.get(URL).status_code == 302
    client.force_login(TherapistFactory())

    assert client.post(URL, {"bundle": _file(ehr_bundle())}).status_code == 403
    assert not PainEntry.objects.exists()


def test_a_spanish_speaker_reads_the_result_in_spanish(client):
    patient = PatientFactory()
    patient.language = "es"
    patient.save(update_fields=["language"])

    page = _upload(client, patient, ehr_bundle()).content.decode()

    assert "Lo que se ha añadido a su historial" in page
    assert "Se han dejado fuera 3 elementos" in page
    assert "no indica si mide el dolor de espalda" in page
