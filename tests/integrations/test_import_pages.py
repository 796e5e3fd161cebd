"""The import flow through its pages with the test client: upload, columns, dry run, import;
cells with markup or formulas are shown as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sciaticare.accounts.models import User
from sciaticare.integrations.models import ImportRun, RunStatus
from tests.directory.factories import ClinicFactory, LocationFactory
from tests.factories import ClinicAdminFactory

FILES = Path(__file__).parent / "files"
pytestmark = pytest.mark.django_db


def test_a_clinic_admin_imports_patients_through_the_pages(client):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin])
    LocationFactory(clinic=clinic)
    client.force_login(admin)
    upload = SimpleUploadedFile(
        "patients.csv", (FILES / "cliniko_patients.csv").read_bytes(), "text/csv"
    )

    answer = client.post(
        reverse("integrations:imports", args=[clinic.pk]),
        {"source": "cliniko", "kind": "patients", "file": upload},
    )
    run = ImportRun.objects.get()
    assert answer.status_code == 302
    mapping_page = client.get(answer.url)
    assert "Date of Birth" in mapping_page.content.decode()
    answer = client.post(
        answer.url, {"source_id": "0", "first_name": "1", "last_name": "2", "email": "4"}
    )
    assert answer.url == reverse("integrations:import_check", args=[clinic.pk, run.pk])
    users = User.objects.count()

    check = client.get(answer.url).content.decode()

    assert User.objects.count() == users
    assert "3 rows would be created" in check
    assert "<script>alert(1)</script>" not in check
    done = client.post(
        reverse("integrations:import_do", args=[clinic.pk, run.pk]), {"confirm": "yes"}, follow=True
    )
    body = done.content.decode()
    assert "3 rows created" in body
    assert "2 rows not imported" in body
    assert User.objects.count() == users + 3
    run.refresh_from_db()
    assert run.status == RunStatus.IMPORTED
    assert run.content is None
    listing = client.get(reverse("integrations:imports", args=[clinic.pk])).content.decode()
    assert "3 created" in listing


def test_a_file_that_is_not_utf8_is_refused_on_the_upload_page(client):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin])
    client.force_login(admin)
    upload = SimpleUploadedFile("p.csv", "Email\nJosé\n".encode("latin-1"), "text/csv")

    answer = client.post(
        reverse("integrations:imports", args=[clinic.pk]),
        {"source": "generic", "kind": "patients", "file": upload},
    )

    assert answer.status_code == 422
    assert "CSV UTF-8" in answer.content.decode()
    assert not ImportRun.objects.exists()


def test_formula_headers_are_shown_as_text(client):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin])
    client.force_login(admin)
    upload = SimpleUploadedFile("p.csv", b'=HYPERLINK("x"),<b>Email</b>\n1,a@b.co\n', "text/csv")
    answer = client.post(
        reverse("integrations:imports", args=[clinic.pk]),
        {"source": "generic", "kind": "patients", "file": upload},
    )

    body = client.get(answer.url).content.decode()

    assert "&#x27;=HYPERLINK" in body
    assert "<b>Email</b>" not in body


@pytest.mark.parametrize("page_name", ["integrations:imports", "integrations:webhooks"])
def test_the_dashboard_links_each_clinic_admin_to_their_own_clinics_tools_only(client, page_name):
    admin, other_admin = ClinicAdminFactory(), ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin], name="Didsbury Massage")
    elsewhere = ClinicFactory(admins=[other_admin])
    client.force_login(admin)

    page = client.get(reverse("web:dashboard")).content.decode()

    assert reverse(page_name, args=[clinic.pk]) in page
    assert reverse(page_name, args=[elsewhere.pk]) not in page
    client.force_login(other_admin)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert reverse(page_name, args=[clinic.pk]) not in page


def _imported_through_the_pages(client, clinic, name, data, source="cliniko", kind="patients"):
    upload = SimpleUploadedFile(name, data, "text/csv")
    answer = client.post(
        reverse("integrations:imports", args=[clinic.pk]),
        {"source": source, "kind": kind, "file": upload},
    )
    run = ImportRun.objects.get(file_name=name)
    columns = {"source_id": "0", "first_name": "1", "last_name": "2", "email": "4", "phone": "5"}
    client.post(answer.url, columns)
    return run, client.get(reverse("integrations:import_check", args=[clinic.pk, run.pk]))


def test_a_saved_result_is_read_in_the_language_of_its_reader(client):
    admin = ClinicAdminFactory(language="en")
    clinic = ClinicFactory(admins=[admin])
    LocationFactory(clinic=clinic, time_zone="Europe/London")
    client.force_login(admin)
    data = (FILES / "cliniko_patients.csv").read_bytes()
    run, _ = _imported_through_the_pages(client, clinic, "patients.csv", data)
    client.post(reverse("integrations:import_do", args=[clinic.pk, run.pk]), {"confirm": "yes"})
    result = reverse("integrations:import_run", args=[clinic.pk, run.pk])
    assert "It has no email" in client.get(result).content.decode()

    admin.language = "es"
    admin.save(update_fields=["language"])
    body = client.get(result).content.decode()

    assert "No tiene correo electrónico: la cuenta de un paciente" in body  # this app's reason
    assert "0161 496 0000 es un fijo" in body  # accounts' reason, with its value
    assert "It has no email" not in body
    assert "is a landline" not in body


def test_a_result_kept_before_reasons_kept_their_english_is_shown_as_it_was(client):
    admin = ClinicAdminFactory(language="es")
    clinic = ClinicFactory(admins=[admin])
    client.force_login(admin)
    run = ImportRun.objects.create(
        clinic=clinic,
        by=admin,
        source_system="cliniko",
        kind="patients",
        file_name="old.csv",
        status=RunStatus.IMPORTED,
        result={
            "created": 1,
            "matched": 0,
            "already": [],
            "notes": [],
            "refused": [
                {
                    "row": 5,
                    "reasons": ["It has no email: a patient's account is their email address."],
                }
            ],
        },
    )

    body = client.get(reverse("integrations:import_run", args=[clinic.pk, run.pk])).content
    assert "It has no email: a patient&#x27;s account is their email address." in body.decode()


def test_the_words_say_only_what_happened(client):
    """No "rows listed above" when none are; a finished run in the past tense, under its file's
    name; the dry run's rows without a value "would be" imported."""
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin])
    LocationFactory(clinic=clinic, time_zone="Europe/London")
    client.force_login(admin)
    data = b"Patient ID,First Name,Last Name,Date of Birth,Email,Mobile\n1,Ana,Ruiz,,ana@example.org,0161 496 0000\n"

    run, check = _imported_through_the_pages(client, clinic, "clean.csv", data)

    check = check.content.decode()
    assert "the rows listed above are left out" not in check
    assert "Import the rows as checked above." in check
    assert "Every row can be imported." in check
    assert "1 row would be imported without one of its values" in check
    done = client.post(
        reverse("integrations:import_do", args=[clinic.pk, run.pk]), {"confirm": "yes"}, follow=True
    ).content.decode()
    assert "Imported." in done
    assert "listed below" not in done
    assert "Import of clean.csv: done" in done
    assert "Every row was imported." in done
    assert "1 row imported without one of its values" in done


def test_the_column_page_says_which_columns_are_not_imported_and_which_fields_are_either(client):
    admin = ClinicAdminFactory()
    clinic = ClinicFactory(admins=[admin])
    client.force_login(admin)
    patients = SimpleUploadedFile(
        "p.csv", (FILES / "cliniko_patients.csv").read_bytes(), "text/csv"
    )
    answer = client.post(
        reverse("integrations:imports", args=[clinic.pk]),
        {"source": "cliniko", "kind": "patients", "file": patients},
    )

    body = client.get(answer.url).content.decode()

    assert 'Date of Birth <span class="muted">(not imported)</span>' in body
    assert 'Email <span class="muted">(not imported)</span>' not in body
    appointments = SimpleUploadedFile(
        "a.csv", (FILES / "cliniko_appointments.csv").read_bytes(), "text/csv"
    )
    answer = client.post(
        reverse("integrations:imports", args=[clinic.pk]),
        {"source": "cliniko", "kind": "appointments", "file": appointments},
    )
    body = client.get(answer.url).content.decode()
    assert "Patient&#x27;s id in the other system (one of these two)" in body
    assert "Patient&#x27;s email (one of these two)" in body
