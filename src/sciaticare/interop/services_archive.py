"""Writes for the patient's "download everything" archive: asking for one, recording its
download, and deleting archives past their keeping time."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.core import generated
from sciaticare.core.errors import Refused
from sciaticare.core.generated import FileStatus
from sciaticare.interop import selectors
from sciaticare.interop.models import DataExport, ExternalResource
from sciaticare.interop.tasks import build_data_export


def request_data_export(*, patient: User) -> DataExport:
    """A new archive of everything the patient's account holds, made by the
    ``build_data_export`` task once the row is committed.

    While one is being made, asking again returns that one rather than queueing another.
    """
    if not patient.has_role(Role.PATIENT):
        raise Refused("patients_only", "Only patients have a record to download.")
    pending = DataExport.objects.filter(patient=patient, status=FileStatus.PENDING).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            export = DataExport.objects.create(patient=patient)
            record_event(actor=patient, action="export.request", patient=patient, obj=export)
            transaction.on_commit(lambda: build_data_export.enqueue(export.pk))
    except IntegrityError:  # a concurrent request won (one pending export per patient)
        return DataExport.objects.get(patient=patient, status=FileStatus.PENDING)
    return export


def record_download(*, patient: User, export: DataExport) -> None:
    record_event(actor=patient, action="export.download", patient=patient, obj=export)


def purge_expired_exports(*, now: datetime | None = None) -> int:
    """Delete archives older than ``EXPORT_KEPT_FOR`` (a copy of health data should not linger);
    returns how many. Run daily with the account deletions."""
    return generated.purge_expired(
        DataExport.objects.all(), kept_for=selectors.EXPORT_KEPT_FOR, now=now
    )


def erase_patient_data(*, patient: User, now: datetime) -> None:
    """Interop's part of erasing a deleted account (registered with privacy): downloaded
    archives and history imported from another service. Caller: inside its transaction."""
    DataExport.objects.filter(patient=patient).delete()
    ExternalResource.objects.filter(patient=patient).delete()
