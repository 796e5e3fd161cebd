"""Moving in from another system: upload a CSV export, choose the columns, see a dry run, then
import it in one transaction. Every write of another app's table goes through that app's own
service (accounts makes patients, scheduling the appointments, records the summaries).

The dry run and the import walk the file with the same code (`import_rows.walk`); the dry run writes
nothing. A row is created, matched to an account that exists (patients), "already imported"
(its id from the other system is in `ImportedRecord`), or refused with every reason. Refused
rows never stop the rest of the file: an appointment that overlaps another is listed and not
created, and the others are imported (docs/integrations.md, "Moving in from another system").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.directory.models import Clinic
from sciaticare.integrations import rows as csv_rows
from sciaticare.integrations.mappings import (
    FIELDS,
    Kind,
    Source,
    missing,
    suggested,
)
from sciaticare.integrations.models import ImportRun, RunStatus
from sciaticare.integrations.models.imports import KEEP_FILE_DAYS
from sciaticare.integrations.services.import_rows import Report, walk


def start_run(
    *, user: User, clinic: Clinic, source: str, kind: str, file_name: str, data: bytes
) -> ImportRun:
    """Keep an uploaded file for the next steps, with the columns its system's mapping
    suggests; Invalid when it cannot be read (too big, not UTF-8, not CSV)."""
    try:
        source_, kind_ = Source(source), Kind(kind)
    except ValueError:
        raise Invalid("unknown_choice", gettext("Choose a system and a kind of file.")) from None
    table = csv_rows.read_table(data)
    if isinstance(table, csv_rows.Refusal):
        raise Invalid("unreadable_file", table.message, [("file", table.message)])
    run = ImportRun.objects.create(
        clinic=clinic,
        by=user,
        source_system=source_.value,
        kind=kind_.value,
        file_name=file_name[:200],
        content=data,
        mapping=suggested(source=source_, kind=kind_, headers=table.headers),
    )
    # Who uploaded which kind of file is kept; the file's content is never logged.
    record_event(actor=user, action="import.upload", patient=None, obj=run)
    return run


def table_of(run: ImportRun) -> csv_rows.Table:
    """The run's file, read again (it was readable when uploaded); Conflict once emptied."""
    if run.content is None or run.status != RunStatus.UPLOADED:
        raise Conflict("file_gone", gettext("This file was imported or discarded already."))
    table = csv_rows.read_table(bytes(run.content))
    if isinstance(table, csv_rows.Refusal):  # pragma: no cover - checked at upload
        raise Invalid("unreadable_file", table.message)
    return table


def set_mapping(*, run: ImportRun, mapping: dict[str, int | None]) -> ImportRun:
    """Keep the admin's choice of column per field; Invalid names each required field left
    without a column, or a column that does not exist."""
    table = table_of(run)
    kind = Kind(run.kind)
    known = {f.name for f in FIELDS[kind]}
    chosen = {
        name: column
        for name, column in mapping.items()
        if name in known and column is not None and 0 <= column < len(table.headers)
    }
    gaps = missing(kind=kind, mapping=chosen)
    if gaps:
        errors = [(f.name, gettext("Choose the column for this field.")) for f in gaps]
        raise Invalid(
            "mapping_incomplete",
            gettext("Choose a column for every required field: %(fields)s.")
            % {"fields": ", ".join(gettext(f.label) for f in gaps)},
            errors,
        )
    run.mapping = chosen
    run.save(update_fields=["mapping"])
    return run


def dry_run(*, run: ImportRun, now: datetime | None = None) -> Report:
    """What importing the file would do, row by row, writing nothing."""
    table = table_of(run)
    if missing(kind=Kind(run.kind), mapping=run.mapping):
        raise Invalid("mapping_incomplete", gettext("Choose the columns first."))
    return walk(run, table, by=None, now=now or timezone.now())


def import_file(*, run: ImportRun, by: User, now: datetime | None = None) -> Report:
    """Import the file in one transaction (the run is locked: a second click imports nothing)
    and empty the stored file. Refused rows are listed in the result."""
    now = now or timezone.now()
    with transaction.atomic():
        # One import of a clinic at a time: a second (the same file uploaded twice and imported
        # at once) waits here, then finds the first's rows "already imported".
        list(
            ImportRun.objects.select_for_update()
            .filter(clinic_id=run.clinic_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        locked = ImportRun.objects.select_for_update().get(pk=run.pk)
        table = table_of(locked)
        if missing(kind=Kind(locked.kind), mapping=locked.mapping):
            raise Invalid("mapping_incomplete", gettext("Choose the columns first."))
        report = walk(locked, table, by=by, now=now)
        locked.status = RunStatus.IMPORTED
        locked.content = None
        locked.result = report.as_json()
        locked.finished_at = now
        locked.save(update_fields=["status", "content", "result", "finished_at"])
        record_event(actor=by, action="import.done", patient=None, obj=locked)
    run.refresh_from_db()
    return report


def discard_run(*, run: ImportRun, by: User) -> None:
    """Drop an uploaded file without importing it."""
    if run.status != RunStatus.UPLOADED:
        raise Conflict("file_gone", gettext("This file was imported or discarded already."))
    run.status, run.content, run.finished_at = RunStatus.DISCARDED, None, timezone.now()
    run.save(update_fields=["status", "content", "finished_at"])
    record_event(actor=by, action="import.discard", patient=None, obj=run)


def purge_stale_files(now: datetime | None = None) -> int:
    """Empty the files of runs uploaded over `KEEP_FILE_DAYS` ago and never imported (the
    daily purge: a CSV of patients does not wait on the server for a decision)."""
    cutoff = (now or timezone.now()) - timedelta(days=KEEP_FILE_DAYS)
    return ImportRun.objects.filter(status=RunStatus.UPLOADED, created_at__lt=cutoff).update(
        status=RunStatus.DISCARDED, content=None
    )


# --- Walking the file ------------------------------------------------------------------------
