"""Every uploaded file is judged by its content, never by its name or declared type.

The project's uploads: a therapist's credential document (PDF, PNG or JPEG by magic bytes,
`directory/documents.py`), a clinic admin's FHIR Questionnaire (parsed as JSON and validated as
a FHIR R4 Questionnaire) and a patient's FHIR Bundle of their records (parsed as JSON and read
as a Bundle by the import the API uses). The first test lists every file field in the project's
forms and models, so a new upload fails it until it is checked and tested here.
"""

from __future__ import annotations

import json
from importlib import import_module

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from sciaticare.audit.models import AuditEvent
from sciaticare.directory import documents
from sciaticare.directory.models import Credential
from sciaticare.intake.models import QuestionnaireDefinition
from sciaticare.outcomes.models import PainEntry
from tests.directory.factories import PDF_BYTES, TherapistProfileFactory
from tests.factories import PatientFactory
from tests.intake.factories import clinic_admin, odi_questionnaire
from tests.interop.test_standard_import import ehr_bundle

pytestmark = pytest.mark.django_db

KNOWN_FORM_UPLOADS = {
    ("sciaticare.directory.forms.CredentialForm", "document"),
    ("sciaticare.intake.forms.QuestionnaireImportForm", "resource"),
    ("sciaticare.interop.forms.BundleUploadForm", "bundle"),
    # A clinic's CSV export: read as UTF-8 text with no binary data, then as CSV, whatever its
    # name (tests/integrations/test_import_rows.py, any bytes a table or a refusal).
    ("sciaticare.integrations.views_imports.UploadForm", "file"),
}
# Uploads are kept in their rows (BinaryField), not in files: no model has a file field.
KNOWN_MODEL_FILES: set[tuple[str, str]] = set()

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def _project_apps() -> list:
    return [app for app in apps.get_app_configs() if app.name.startswith("sciaticare.")]


def test_every_upload_in_the_project_is_one_checked_here():
    # Every view module too (a form may live beside its view): the listing must not depend on
    # which tests ran first in this process.
    import_module(settings.ROOT_URLCONF)
    for app in _project_apps():
        try:
            import_module(f"{app.name}.forms")
        except ModuleNotFoundError:
            continue
    form_uploads = {
        (f"{form.__module__}.{form.__name__}", name)
        for form in _subclasses(forms.BaseForm)
        if form.__module__.startswith("sciaticare.")
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField)
    }
    model_files = {
        (model._meta.label, field.name)
        for app in _project_apps()
        for model in app.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }

    assert form_uploads == KNOWN_FORM_UPLOADS
    assert model_files == KNOWN_MODEL_FILES


# --- Credential documents -------------------------------------------------------------------

CREDENTIAL_FORM = {
    "kind": "licence",
    "title": "LMT",
    "number": "N-1",
    "issuing_body": "CNHC",
    "jurisdiction": "UK",
    "expires_on": "2099-01-01",
}


def _upload_credential(client, name: str, data: bytes, content_type: str):
    therapist = TherapistProfileFactory().user
    client.force_login(therapist)
    upload = SimpleUploadedFile(name, data, content_type)
    return client.post(reverse("directory:my_credentials"), {**CREDENTIAL_FORM, "document": upload})


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("licence.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        (
            "licence.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/png",
        ),
        ("licence.jpg", b"MZ\x90\x00\x03 an executable", "image/jpeg"),
        ("licence.pdf", b"PK\x03\x04 a docx or zip file", "application/pdf"),
        ("licence.pdf", b" %PDF-1.7 after a space", "application/pdf"),
    ],
    ids=["html-as-pdf", "svg-as-png", "exe-as-jpg", "zip-as-pdf", "pdf-not-at-start"],
)
def test_a_credential_document_renamed_to_look_acceptable_is_refused(
    client, name, data, content_type
):
    response = _upload_credential(client, name, data, content_type)

    assert response.status_code == 400
    assert "not a PDF, PNG or JPEG" in response.content.decode()
    assert not Credential.objects.filter(number=CREDENTIAL_FORM["number"]).exists()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("scan.txt", PDF_BYTES, "pdf"),
        ("photo", PNG_SIGNATURE + b"\x00\x00\x00\rIHDR", "png"),
        ("licence.pdf", b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
    ],
    ids=["pdf-named-txt", "png-without-extension", "jpeg-named-pdf"],
)
def test_a_credential_document_is_typed_by_its_content_whatever_its_name(client, name, data, kind):
    response = _upload_credential(client, name, data, "application/octet-stream")

    assert response.status_code == 302
    credential = Credential.objects.get(number=CREDENTIAL_FORM["number"])
    assert credential.document_type == kind
    assert bytes(credential.document) == data  # kept in its row, byte for byte
    # Sent back under a name of ours with the extension of what it really is.
    sent = client.get(reverse("directory:document", args=[credential.pk]))
    assert sent["Content-Type"] == documents.CONTENT_TYPES[kind]
    assert sent["Content-Disposition"] == (
        f'attachment; filename="credential-{credential.pk}.{kind}"'
    )
    assert sent.content == data


def test_a_credential_document_is_kept_in_the_database_and_never_in_a_file(
    client, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }

    assert (
        _upload_credential(client, "licence.pdf", PDF_BYTES, "application/pdf").status_code == 302
    )

    assert list(tmp_path.rglob("*")) == []
    # Lists leave the bytes out; they load only for the one read that sends them.
    listed = Credential.objects.get(number=CREDENTIAL_FORM["number"])
    assert listed.get_deferred_fields() == {"document"}


# --- Questionnaire imports ------------------------------------------------------------------


def _import(client, name: str, data: bytes, content_type: str = "application/json"):
    client.force_login(clinic_admin())
    return client.post(
        reverse("intake:import_questionnaire"),
        {
            "resource": SimpleUploadedFile(name, data, content_type),
            "licence_statement": "Mapi #1",
        },
    )


@pytest.mark.parametrize(
    "data",
    [
        PDF_BYTES,
        PNG_SIGNATURE + b"\x00\x00\x00\rIHDR",
        json.dumps({"resourceType": "Patient", "id": "not-a-questionnaire"}).encode(),
    ],
    ids=["pdf", "png", "json-but-a-patient"],
)
def test_a_questionnaire_import_named_json_but_holding_something_else_is_refused(client, data):
    response = _import(client, "odi.json", data)

    assert response.status_code == 422
    assert not QuestionnaireDefinition.objects.filter(code="odi").exists()


def test_a_questionnaire_import_is_read_by_content_whatever_its_name(client):
    data = json.dumps(odi_questionnaire()).encode()

    response = _import(client, "odi-scan.pdf", data, "application/pdf")

    assert response.status_code == 302
    assert QuestionnaireDefinition.objects.filter(code="odi").exists()


# --- A patient's records (FHIR Bundle) ------------------------------------------------------


def _bring_in(client, name: str, data: bytes, content_type: str = "application/json"):
    client.force_login(PatientFactory())
    return client.post(
        reverse("interop:import_fhir"), {"bundle": SimpleUploadedFile(name, data, content_type)}
    )


@pytest.mark.parametrize(
    "data",
    [
        PDF_BYTES,
        PNG_SIGNATURE + b"\x00\x00\x00\rIHDR",
        json.dumps({"resourceType": "Patient", "id": "not-a-bundle"}).encode(),
    ],
    ids=["pdf", "png", "json-but-a-patient"],
)
def test_a_records_file_named_json_but_holding_something_else_is_refused(client, data):
    response = _bring_in(client, "records.json", data)

    assert response.status_code == 422
    assert not AuditEvent.objects.filter(action="fhir.import").exists()


def test_a_records_file_is_read_by_content_whatever_its_name(client):
    response = _bring_in(client, "scan.pdf", json.dumps(ehr_bundle()).encode(), "application/pdf")

    assert response.status_code == 200
    assert PainEntry.objects.count() == 1
