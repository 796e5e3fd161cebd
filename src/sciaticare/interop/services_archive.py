"""Writes for the patient's "download everything" archive: asking for one, recording its
download, and deleting archives past their keeping time."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.core import generated
from sciaticare.core.errors import Refused
from sciaticare.core.generated import FileStatus
from sciaticare.interop import selectors
from sciaticare.interop.models import DataExport, ExternalResource, ImportedResource


def request_data_export(*, patient: User) -> tuple[DataExport, bool]:
    """A new archive of everything the patient's account holds, and whether it is new.

    The caller enqueues the ``build_data_export`` task for a new archive once the row is
    committed, so a worker always finds it. While one is being made, asking again returns that
    one (not new), so no second task is queued.
    """
    if not patient.has_role(Role.PATIENT):
        raise Refused("patients_only", gettext("Only patients have a record to download."))
    pending = DataExport.objects.filter(patient=patient, status=FileStatus.PENDING).first()
    if pending is not None:
        return pending, False
    try:
        with transaction.atomic():
            export = DataExport.objects.create(patient=patient)
            record_event(actor=patient, action="export.request", patient=patient, obj=export)
    except IntegrityError:  # a concurrent request won (one pending export per patient)
        return DataExport.objects.get(patient=patient, status=FileStatus.PENDING), False
    return export, True


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
    archives, history imported from another service, and the keys of what other systems'
    Bundles brought. Caller: inside its transaction."""
    DataExport.objects.filter(patient=patient).delete()
    ExternalResource.objects.filter(patient=patient).delete()
    ImportedResource.objects.filter(patient=patient).delete()
