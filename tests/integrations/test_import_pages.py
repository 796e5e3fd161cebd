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
