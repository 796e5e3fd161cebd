"""The generated-file job shared by the patient's archive (interop) and progress report
(outcomes): made once by a task, downloaded by its owner alone, purged past its keeping time.
Each check runs against both tables, so the two stay the same shape."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from sciaticare.core import generated
from sciaticare.core.errors import NotFound
from sciaticare.core.generated import FileStatus, GeneratedFile
from sciaticare.interop.models import DataExport
from sciaticare.outcomes.models import ProgressReport
from sciaticare.outcomes.tasks import build_report
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def _export(patient, **fields) -> DataExport:
    return DataExport.objects.create(patient=patient, **fields)


def _report(patient, **fields) -> ProgressReport:
    return ProgressReport.objects.create(patient=patient, requested_by=patient, **fields)


MAKERS = pytest.mark.parametrize("make", [_export, _report], ids=["export", "report"])


@MAKERS
def test_a_task_makes_the_file_once(make):
    row = make(PatientFactory())
    made = []

    status = generated.make_file(
        type(row).objects.all(), row.pk, lambda r: b"bytes", after=made.append
    )
    again = generated.make_file(type(row).objects.all(), row.pk, lambda r: b"other")

    row.refresh_from_db()
    assert (status, again) == (FileStatus.READY, FileStatus.READY)
    assert bytes(row.content) == b"bytes"
    assert row.finished_at is not None
    assert [r.pk for r in made] == [row.pk]


@MAKERS
def test_a_failure_marks_the_file_failed(make):
    row = make(PatientFactory())

    def broken(_):
        raise RuntimeError("renderer down")

    assert generated.make_file(type(row).objects.all(), row.pk, broken) == FileStatus.FAILED
    row.refresh_from_db()
    assert (row.status, row.content) == (FileStatus.FAILED, None)


def test_a_report_erased_before_its_task_ran_is_gone():
    row = _report(PatientFactory())
    pk = row.pk
    row.delete()

    assert build_report.call(pk) == "gone"


@MAKERS
def test_a_ready_file_has_its_bytes(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make(PatientFactory(), status=FileStatus.READY, finished_at=NOW)


@MAKERS
def test_one_file_pending_per_patient(make):
    patient = PatientFactory()
    make(patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        make(patient)


@MAKERS
def test_the_purge_deletes_only_files_past_their_keeping_time(make):
    patient = PatientFactory()
    old = make(patient, requested_at=NOW - timedelta(days=8), status=FileStatus.FAILED)
    kept = make(patient, requested_at=NOW - timedelta(days=6), status=FileStatus.FAILED)
    model = type(old)

    purged = generated.purge_expired(model.objects.all(), kept_for=timedelta(days=7), now=NOW)

    assert purged == 1
    assert list(model.objects.values_list("pk", flat=True)) == [kept.pk]


@MAKERS
def test_the_download_view_gives_the_owner_the_file_and_anyone_else_a_404(make):
    owner, other = PatientFactory(), PatientFactory()
    row = make(owner, status=FileStatus.READY, content=b"bytes", finished_at=NOW)
    model = type(row)
    downloads = []

    def fetch(user, file_id):
        found = model.objects.filter(pk=file_id, patient=user, status=FileStatus.READY).first()
        if found is None:
            raise NotFound("file")
        return found

    view = generated.download_view(
        fetch=fetch,
        content_type="application/octet-stream",
        filename=lambda f, made: f"file-{f.pk}.bin",
        after=lambda user, f: downloads.append((user.pk, f.pk)),
    )
    request = RequestFactory().get("/")

    request.user = owner
    response = view(request, file_id=row.pk)
    assert response.status_code == 200
    assert response.content == b"bytes"
    assert response["Content-Disposition"] == f'attachment; filename="file-{row.pk}.bin"'
    assert downloads == [(owner.pk, row.pk)]

    request.user = other
    with pytest.raises(Http404):
        view(request, file_id=row.pk)
    assert downloads == [(owner.pk, row.pk)]


def test_both_tables_are_generated_files():
    assert issubclass(DataExport, GeneratedFile)
    assert issubclass(ProgressReport, GeneratedFile)
