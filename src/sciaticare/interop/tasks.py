"""Background work of the interop app: making a patient's "download everything" archive."""

from __future__ import annotations

from datetime import datetime

from django.tasks import task
from django.utils import timezone, translation

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core import generated
from sciaticare.core.spreadsheet import csv_bytes
from sciaticare.interop import archive, selectors, services
from sciaticare.interop.fhir.export import bundle_json
from sciaticare.interop.models import DataExport
from sciaticare.outcomes import report
from sciaticare.privacy.services import retention_note


def archive_files(*, patient: User, now: datetime) -> dict[str, bytes]:
    """Every file of the patient's archive, by name, in the order of ``archive.FILES``.

    Written in the patient's language (a task has no request to ask): the README, the PDF and
    the words in the CSV cells; the files' names, the CSV columns and the FHIR record stay as
    they are, so that a program reads every archive alike (docs/i18n.md).

    The FHIR export and the PDF are audited by their own services (``fhir.export``,
    ``report.generate``), as the patient's own reads.
    """
    with translation.override(patient.language):
        return _files(patient=patient, now=now)


def _files(*, patient: User, now: datetime) -> dict[str, bytes]:
    bundle = services.export_patient(patient=patient, viewer=patient)
    files = {
        "README.txt": archive.readme(
            name=patient.display_name, made_at=now, retention_note=retention_note()
        ).encode(),
        "record.fhir.json": bundle_json(bundle, indent=2).encode(),
        "diary.csv": csv_bytes(selectors.DIARY_HEADER, selectors.diary_rows(patient=patient)),
        "sessions.csv": csv_bytes(
            selectors.SESSIONS_HEADER, selectors.session_rows(patient=patient)
        ),
        "scores.csv": csv_bytes(selectors.SCORES_HEADER, selectors.score_rows(patient=patient)),
        "exercises.csv": csv_bytes(
            selectors.EXERCISES_HEADER, selectors.exercise_rows(patient=patient)
        ),
        "progress-report.pdf": report.render_report(patient=patient, viewer=patient),
    }
    assert list(files) == list(archive.FILES)  # the README describes exactly these files
    return files


@task()
def build_data_export(export_id: int) -> str:
    """Make a requested archive and store it; returns the final status ("gone" when erased
    with its account first). A failure marks the export failed (the patient sees it and can ask
    again) and is logged."""
    return generated.make_file(
        DataExport.objects.select_related("patient"),
        export_id,
        lambda export: archive.zip_bytes(archive_files(patient=export.patient, now=timezone.now())),
        after=_record_generated,
    )


def _record_generated(export: DataExport) -> None:
    # Made for the patient who asked, as the progress report is (not a read by someone else).
    record_event(actor=export.patient, action="export.generate", patient=export.patient, obj=export)
