"""Background work of the interop app: making a patient's "download everything" archive."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.tasks import task
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.interop import archive, selectors, services
from sciaticare.interop.models import DataExport, ExportStatus
from sciaticare.outcomes import report
from sciaticare.privacy.services import RETENTION_NOTE

logger = logging.getLogger(__name__)


def archive_files(*, patient: User, now: datetime) -> dict[str, bytes]:
    """Every file of the patient's archive, by name, in the order of ``archive.FILES``.

    The FHIR export and the PDF are audited by their own services (``fhir.export``,
    ``report.generate``), as the patient's own reads.
    """
    bundle = services.export_patient(patient=patient, viewer=patient)
    files = {
        "README.txt": archive.readme(
            name=patient.display_name, made_at=now, retention_note=RETENTION_NOTE
        ).encode(),
        "record.fhir.json": json.dumps(bundle, indent=2, ensure_ascii=False).encode(),
        "diary.csv": archive.csv_bytes(
            selectors.DIARY_HEADER, selectors.diary_rows(patient=patient)
        ),
        "sessions.csv": archive.csv_bytes(
            selectors.SESSIONS_HEADER, selectors.session_rows(patient=patient)
        ),
        "scores.csv": archive.csv_bytes(
            selectors.SCORES_HEADER, selectors.score_rows(patient=patient)
        ),
        "progress-report.pdf": report.render_report(patient=patient, viewer=patient),
    }
    assert list(files) == list(archive.FILES)  # the README describes exactly these files
    return files


@task()
def build_data_export(export_id: int) -> str:
    """Make a requested archive and store it; returns the final status.

    A failure marks the export failed (the patient sees it and can ask again) and is logged.
    """
    export = DataExport.objects.select_related("patient").filter(pk=export_id).first()
    if export is None:
        return "gone"  # erased with its account before a worker took the task
    if export.status != ExportStatus.PENDING:
        return export.status  # already made: a repeated delivery of the task does nothing
    now = timezone.now()
    try:
        export.archive = archive.zip_bytes(archive_files(patient=export.patient, now=now))
    except Exception:
        logger.exception("data export %s could not be made", export_id)
        export.status = ExportStatus.FAILED
    else:
        export.status = ExportStatus.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "archive", "finished_at"])
    # Made for the patient who asked, as the progress report is (not a read by someone else).
    record_event(actor=export.patient, action="export.generate", patient=export.patient, obj=export)
    return export.status
