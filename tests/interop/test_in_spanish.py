"""Interop's pages and the archive in Spanish (docs/i18n.md): the page words follow the reader,
the archive's README the patient's language; the FHIR record, the file names and the CSV
columns are machine data and stay as they are."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from sciaticare.interop import selectors, services, services_archive
from sciaticare.interop.tasks import build_data_export
from tests.interop.test_export_import import history
from tests.records.conftest import clinic_world

__all__ = ["clinic_world"]  # the fixture, imported for these tests

pytestmark = pytest.mark.django_db


def _spanish(person):
    person.language = "es"
    person.save(update_fields=["language"])
    return person


def test_your_data_page_is_in_spanish(client):
    patient = _spanish(history())
    client.force_login(patient)

    services_archive.request_data_export(patient=patient)
    page = client.get(reverse("interop:your_data")).content.decode()

    assert "<h1>Sus datos</h1>" in page
    assert "Descargarlo todo" in page
    assert "su diario del dolor, una fila por día." in page
    assert "En preparación…" in page
    assert "Cada una se conserva 7 días y después se borra." in page
    assert "La eliminación se hace efectiva 14 días después de pedirla" in page
    assert "8 años después de su última sesión" in page
    assert "diario del dolor; ajuste de recordatorios del diario" in page
    assert "Download everything" not in page


def test_the_archive_readme_is_in_the_patients_language_and_the_data_stays_as_it_is():
    patient = _spanish(history())
    asked, _ = services_archive.request_data_export(patient=patient)

    with translation.override("en"):  # the task's own language does not matter
        build_data_export.call(asked.pk)
    asked.refresh_from_db()
    opened = zipfile.ZipFile(io.BytesIO(bytes(asked.content)))

    readme = opened.read("README.txt").decode()
    assert readme.startswith("Sciaticare: todo lo que tenemos sobre usted\n")
    assert "- diary.csv: su diario del dolor, una fila por día." in readme
    assert "se conservan durante 8 años después de su última sesión" in readme
    diary = opened.read("diary.csv").decode().lstrip("\ufeff")
    assert diary.splitlines()[0] == ",".join(selectors.DIARY_HEADER)
    with translation.override("en"):
        english = services.export_patient(patient=patient, viewer=patient)
    assert json.loads(opened.read("record.fhir.json")) == english


def test_the_fhir_record_is_the_same_in_every_language():
    patient = history()
    with translation.override("es"):
        spanish = services.export_patient(patient=patient, viewer=patient)
    with translation.override("en"):
        english = services.export_patient(patient=patient, viewer=patient)
    assert spanish == english


def test_the_export_page_and_its_refusal_are_in_spanish(client, clinic_world):
    patient = clinic_world["people"]["patient"]
    client.force_login(_spanish(clinic_world["people"]["clinic_admin"]))
    url = reverse("interop:patient_fhir", args=[patient.pk])

    page = client.get(url).content.decode()
    refused = client.post("/api/v1/patients/me/fhir", b"{", content_type="application/json")

    assert f"Exportar el historial de {patient.display_name}" in page
    assert "las sesiones realizadas en su clínica" in page
    assert "Descargar el historial" in page
    assert refused.status_code == 403
    assert "Solo los pacientes tienen un historial que exportar o importar." in refused.text
