"""Old progress reports are deleted: a month after they were asked for, or once the last link
sent with them has ended, whichever is later."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sciaticare.core.generated import FileStatus
from sciaticare.outcomes import services
from sciaticare.outcomes.mail import send_report_link
from sciaticare.outcomes.models import ProgressReport, ReportShare
from sciaticare.privacy.tasks import carry_out_deletions
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DOCTOR = "dr.okafor@surgery.example"


def _report(patient, *, age_days: float, status: str = FileStatus.READY) -> ProgressReport:
    asked = NOW - timedelta(days=age_days)
    ready = status == FileStatus.READY
    return ProgressReport.objects.create(
        patient=patient,
        requested_by=patient,
        requested_at=asked,
        status=status,
        content=b"%PDF-1.7" if ready else None,
        finished_at=asked if ready else None,
    )


def _share(report: ProgressReport, *, ends_in_days: float, stopped: bool = False) -> ReportShare:
    return ReportShare.objects.create(
        report=report,
        recipient_email=DOCTOR,
        token_digest=f"t{ReportShare.objects.count()}",
        code_digest="c",
        expires_at=NOW + timedelta(days=ends_in_days),
        revoked_at=NOW - timedelta(days=1) if stopped else None,
    )


@pytest.mark.parametrize(
    ("age_days", "kept"),
    [(0, True), (29.9, True), (30.1, False), (400, False)],
)
def test_a_report_is_kept_for_thirty_days(age_days, kept):
    report = _report(PatientFactory(), age_days=age_days)

    removed = services.purge_old_reports(now=NOW)

    assert ProgressReport.objects.filter(pk=report.pk).exists() is kept
    assert removed == (0 if kept else 1)


def test_failed_and_stuck_reports_go_too():
    patient = PatientFactory()
    _report(patient, age_days=31, status=FileStatus.FAILED)
    _report(patient, age_days=31, status=FileStatus.PENDING)

    assert services.purge_old_reports(now=NOW) == 2
    assert not ProgressReport.objects.exists()


def test_an_old_report_stays_while_a_link_sent_with_it_still_works():
    patient = PatientFactory()
    linked = _report(patient, age_days=35)
    _share(linked, ends_in_days=3)
    _share(linked, ends_in_days=-10)  # an earlier link that has ended keeps nothing
    spent = _report(patient, age_days=35)
    _share(spent, ends_in_days=-1)
    stopped = _report(patient, age_days=35)
    _share(stopped, ends_in_days=5, stopped=True)

    assert services.purge_old_reports(now=NOW) == 2

    assert list(ProgressReport.objects.all()) == [linked]
    # The spent links went with their reports; the live report keeps both of its own.
    assert ReportShare.objects.filter(report=linked).count() == 2
    assert ReportShare.objects.count() == 2
    # Once its link ends, it goes too.
    assert services.purge_old_reports(now=NOW + timedelta(days=4)) == 1


def test_one_stopped_link_and_another_that_ended_keep_nothing():
    # Each condition of a live link holds for some link, but no link is both unstopped and
    # unexpired: the report goes.
    report = _report(PatientFactory(), age_days=35)
    _share(report, ends_in_days=-5)  # ran out, never stopped
    _share(report, ends_in_days=9, stopped=True)  # would still run, but was stopped

    assert services.purge_old_reports(now=NOW) == 1
    assert not ReportShare.objects.exists()


def test_a_report_past_its_keeping_time_cannot_be_sent(client):
    patient = PatientFactory()
    old, recent = _report(patient, age_days=31), _report(patient, age_days=29)
    client.force_login(patient)

    refused = client.post(f"/diary/reports/{old.pk}/send/", {"email": DOCTOR}, follow=True)
    sent = client.post(f"/diary/reports/{recent.pk}/send/", {"email": DOCTOR})

    assert "This report is more than 30 days old" in refused.content.decode()
    assert not ReportShare.objects.filter(report=old).exists()
    assert sent.status_code == 200
    assert ReportShare.objects.filter(report=recent).count() == 1


def test_a_link_whose_report_went_before_its_mail_sends_nothing(smtp):
    report = _report(PatientFactory(), age_days=1)
    share = _share(report, ends_in_days=14)
    report.delete()

    send_report_link(share.pk, "token")

    assert smtp.messages == []


def test_only_old_reports_go_whoever_they_belong_to():
    old, recent = PatientFactory(), PatientFactory()
    _report(old, age_days=60)
    kept = _report(recent, age_days=2)

    services.purge_old_reports(now=NOW)

    assert list(ProgressReport.objects.all()) == [kept]


def test_the_daily_task_and_command_remove_old_reports(capsys):
    patient = PatientFactory()
    _report(patient, age_days=45)
    call_command("carry_out_deletions")
    assert "1 old report(s) removed" in capsys.readouterr().out

    _report(patient, age_days=45)
    carry_out_deletions.call()
    assert not ProgressReport.objects.exists()


def test_the_reports_page_says_how_long_a_report_is_kept(client):
    patient = PatientFactory()
    client.force_login(patient)

    page = client.get("/diary/reports/")

    assert "Each report is kept for 30 days" in page.content.decode()
