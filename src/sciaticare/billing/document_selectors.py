"""Documents a patient gives an insurer (a US superbill, a UK itemised receipt) and the clock
money's PDFs and mails tell their times by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from django.db.models import Q

from sciaticare.accounts.models import User
from sciaticare.billing.invoice_selectors import InvoiceDetail, invoice_for
from sciaticare.billing.money import CPT_MASSAGE, cpt_units
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import Clinic, Credential, CredentialKind, CredentialStatus
from sciaticare.intake import bodymap
from sciaticare.intake.selectors import sciatica_side
from sciaticare.outcomes.selectors import last_identity
from sciaticare.scheduling.models import Appointment


@dataclass(frozen=True)
class Licence:
    title: str
    number: str
    issuing_body: str
    jurisdiction: str


@dataclass(frozen=True)
class InsurerDocument:
    """A superbill (US) or an itemised receipt for a private insurer (UK) of one paid session.

    Nothing clinical but the codes: the ICD-10-CM code of sciatica by side (from the intake the
    patient had saved by the session) and the CPT code with its units, on the superbill only.
    """

    kind: Literal["superbill", "itemised_receipt"]
    detail: InvoiceDetail
    patient_name: str
    date_of_birth: date | None
    service_day: date
    minutes: int
    therapist_name: str
    licence: Licence | None
    place: str
    diagnosis: str  # ICD-10-CM, superbill only
    cpt: str  # superbill only
    units: int  # superbill only

    @property
    def seller(self) -> dict[str, str]:
        return self.detail.invoice.seller


def _licence(therapist_id: int, day: date) -> Licence | None:
    """The therapist's verified licence in force on `day` (the one checked last)."""
    found = (
        Credential.objects.filter(
            therapist_id=therapist_id,
            kind=CredentialKind.LICENCE,
            status=CredentialStatus.VERIFIED,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .order_by("-checked_at", "-pk")
        .values_list("title", "number", "issuing_body", "jurisdiction")
        .first()
    )
    return Licence(*found) if found else None


def insurer_document(*, viewer: User, invoice_id: int) -> InsurerDocument:
    """The superbill or itemised receipt of a paid session's invoice (`insurer_kind`), for the
    patient and the clinic's admins; NotFound where there is none."""
    detail = invoice_for(viewer=viewer, invoice_id=invoice_id)
    invoice, kind = detail.invoice, detail.insurer_document
    appointment = invoice.appointment
    if not kind or appointment is None or detail.session_start is None:
        raise NotFound("document for an insurer")
    therapist = appointment.therapist
    minutes = int((appointment.end - appointment.start).total_seconds() // 60)
    superbill = kind == "superbill"
    side = sciatica_side(patient=invoice.patient, at=appointment.start) if superbill else None
    return InsurerDocument(
        kind="superbill" if superbill else "itemised_receipt",
        detail=detail,
        patient_name=invoice.buyer_name,
        date_of_birth=last_identity(patient=invoice.patient).date_of_birth,
        service_day=detail.session_start.date(),
        minutes=minutes,
        therapist_name=therapist.user.display_name,
        licence=_licence(therapist.pk, detail.session_start.date()),
        place=f"{appointment.location.name}, {appointment.location.address}",
        diagnosis=bodymap.SCIATICA_ICD10CM[side] if superbill else "",
        cpt=CPT_MASSAGE if superbill else "",
        units=cpt_units(minutes) if superbill else 0,
    )


def document_zone(*, clinic: Clinic, appointment: Appointment | None) -> ZoneInfo:
    """The clock a PDF or a mail about money tells its times by: the session's location's, else
    the clinic's first location's (UTC without one), as the pages do."""
    if appointment is not None:
        return ZoneInfo(appointment.location.time_zone)
    first = clinic.locations.order_by("pk").values_list("time_zone", flat=True).first()
    return ZoneInfo(first or "UTC")
