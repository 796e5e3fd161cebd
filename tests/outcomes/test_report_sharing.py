"""Sending a report to the doctor: a mailed link plus a code the patient passes on; expiry,
stopping, the wrong-code lock, the audit trail, and who may do what."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.core.generated import FileStatus
from sciaticare.outcomes.models import ProgressReport, ReportShare
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 the report of Odalys Fenwick"
DOCTOR = "dr.okafor@surgery.example"


@pytest.fixture
def patient():
    return PatientFactory(first_name="Odalys", last_name="Fenwick")


@pytest.fixture
def ready(patient):
    return ProgressReport.objects.create(
        patient=patient,
        requested_by=patient,
        status=FileStatus.READY,
        content=PDF,
        finished_at=timezone.now(),
    )


@pytest.fixture
def send(client, patient, ready, django_capture_on_commit_callbacks):
    """The patient sends the ready report; the mail task runs once the share is committed."""

    def post(email=DOCTOR):
        client.force_login(patient)
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(f"/diary/reports/{ready.pk}/send/", {"email": email})
        client.logout()
        return page

    return post


def _link_and_code(smtp, page) -> tuple[str, str]:
    (mail,) = smtp.to(DOCTOR)
    body = mail.get_body().get_content()
    link = re.search(r"http://\S+(/shared-reports/[\w-]+/)", body)
    code = re.search(r'class="share-code"[^>]*>([A-Z0-9-]+)<', page.content.decode())
    assert link, body
    assert code
    return link.group(1), code.group(1)


def test_the_doctor_gets_a_link_without_health_data_and_opens_it_with_the_code(
    client, smtp, send, patient, ready
):
    page = send()
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    (mail,) = smtp.to(DOCTOR)
    body = mail.get_body().get_content()
    assert "Fenwick" not in body
    assert "Odalys" not in body
    assert patient.email not in body
    assert not list(mail.iter_attachments())

    link, code = _link_and_code(smtp, page)
    assert client.get(link).status_code == 200
    opened = client.post(link, {"code": code.lower().replace("-", " ")})

    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/pdf"
    assert opened.content == PDF
    share = ReportShare.objects.get()
    assert share.times_opened == 1
    event = AuditEvent.objects.get(action="report.share.open")
    assert event.patient == patient
    assert DOCTOR in event.reason
    assert AuditEvent.objects.filter(action="report.share", actor=patient).exists()


def test_the_code_is_shown_once_and_stored_only_as_a_digest(client, smtp, send, patient, ready):
    page = send()
    link, code = _link_and_code(smtp, page)
    share = ReportShare.objects.get()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert code.replace("-", "") not in str(share.code_digest)
    assert token not in share.token_digest

    client.force_login(patient)
    listing = client.get("/diary/reports/").content.decode()
    assert DOCTOR in listing
    assert code not in listing


def test_wrong_codes_count_and_five_lock_the_link(client, smtp, send, patient, ready):
    link, code = _link_and_code(smtp, send())

    for left in (4, 3, 2, 1):
        wrong = client.post(link, {"code": "ZZZZ-ZZZZ"})
        assert wrong.status_code == 422
        assert (f"{left} tries left" if left > 1 else "1 try left") in wrong.content.decode()
    assert "now locked" in client.post(link, {"code": "ZZZZ-ZZZZ"}).content.decode()

    locked = client.post(link, {"code": code})
    assert locked.status_code == 403
    assert PDF not in locked.content
    assert ReportShare.objects.get().state == "locked"


def test_an_expired_stopped_or_unknown_link_opens_nothing(client, smtp, send, patient, ready):
    link, code = _link_and_code(smtp, send())
    assert client.post("/shared-reports/not-a-token/", {"code": code}).status_code == 404

    ReportShare.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post(link, {"code": code}).status_code == 404

    ReportShare.objects.update(expires_at=timezone.now() + timedelta(days=1))
    client.force_login(patient)
    share = ReportShare.objects.get()
    unconfirmed = client.post(f"/diary/reports/sent/{share.pk}/stop/")
    assert unconfirmed.status_code == 302
    assert ReportShare.objects.get().revoked_at is None
    client.post(f"/diary/reports/sent/{share.pk}/stop/", {"confirm": "yes"})
    client.logout()

    assert ReportShare.objects.get().state == "stopped"
    assert client.post(link, {"code": code}).status_code == 404


def test_only_the_patient_sends_or_stops_their_report(client, smtp, send, patient, ready):
    for stranger in (PatientFactory(), TherapistFactory()):
        client.force_login(stranger)
        assert client.post(f"/diary/reports/{ready.pk}/send/", {"email": DOCTOR}).status_code == 404
    assert not ReportShare.objects.exists()

    send()
    share = ReportShare.objects.get()
    client.force_login(PatientFactory())
    stop = client.post(f"/diary/reports/sent/{share.pk}/stop/", {"confirm": "yes"})
    assert stop.status_code == 404
    assert ReportShare.objects.get().revoked_at is None

    client.logout()
    assert client.post(f"/diary/reports/{ready.pk}/send/", {"email": DOCTOR}).status_code == 302
    assert ReportShare.objects.count() == 1


def test_a_bad_address_sends_nothing_and_says_why(client, smtp, send, patient, ready):
    client.force_login(patient)
    page = client.post(f"/diary/reports/{ready.pk}/send/", {"email": "not an address"}, follow=True)

    assert "Enter your doctor" in page.content.decode()
    assert not ReportShare.objects.exists()
    assert not smtp.messages
