"""Reads of webhooks: the clinic a person runs, its endpoints and their delivery logs (its own
admins only; NotFound alike for missing and forbidden), and what each event says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet

from sciaticare.accounts.models import User
from sciaticare.billing.models import Invoice, InvoiceKind
from sciaticare.core.errors import NotFound
from sciaticare.core.sql import fetch_rows, table
from sciaticare.core.time import parse_utc
from sciaticare.directory.models import Clinic, Location
from sciaticare.directory.selectors.access import clinic_run_by
from sciaticare.integrations.models.webhooks import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from sciaticare.records.models import SessionNote
from sciaticare.scheduling.models import Appointment

#: Attempts shown under each delivery in the log (the newest).
ATTEMPTS_SHOWN = 10


def endpoints_of(clinic: Clinic) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(clinic=clinic).order_by("pk")


def endpoint_for(*, user: User, clinic_id: int, endpoint_id: int) -> WebhookEndpoint:
    """One of the clinic's endpoints, for its admins; NotFound alike otherwise."""
    clinic = clinic_run_by(user=user, clinic_id=clinic_id)
    endpoint = endpoints_of(clinic).filter(pk=endpoint_id).select_related("clinic").first()
    if endpoint is None:
        raise NotFound("webhook")
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")


def attempts_of(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(delivery.attempt_log.order_by("-at", "-pk")[:ATTEMPTS_SHOWN])


def delivery_for(
    *, user: User, clinic_id: int, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """One delivery of one of the clinic's endpoints, for its admins; NotFound alike."""
    endpoint = endpoint_for(user=user, clinic_id=clinic_id, endpoint_id=endpoint_id)
    delivery = deliveries_of(endpoint).filter(pk=delivery_id).select_related("endpoint").first()
    if delivery is None:
        raise NotFound("webhook delivery")
    return delivery


# --- What each event says: ids and times, never names, notes or anything clinical -----------


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


# Written out: every booking, move and cancellation asks this after it commits.
_APPOINTMENT_EVENT_SQL = f"""
SELECT l.clinic_id, a.id, a.patient_id, a.therapist_id, a.location_id, a.session_type_id,
       CAST(a.start AS TEXT), CAST(a."end" AS TEXT), a.status, a.rescheduled_from_id
  FROM {table(Appointment)} a JOIN {table(Location)} l ON l.id = a.location_id
 WHERE a.id = %s
"""  # noqa: S608 - table names from the models; the value goes as a parameter


def appointment_event(appointment_id: int) -> tuple[int, dict[str, Any]] | None:
    """The clinic of an appointment (its location's) and the event's data; None if it is gone."""
    found = fetch_rows(_APPOINTMENT_EVENT_SQL, [appointment_id])
    if not found:
        return None
    ((clinic_id, pk, patient, therapist, location, service, start, end, status, moved),) = found
    return clinic_id, {
        "appointment": pk,
        "patient": patient,
        "therapist": therapist,
        "location": location,
        "service": service,
        "start": _iso(parse_utc(start)),
        "end": _iso(parse_utc(end)),
        "status": status,
        "rescheduled_from": moved,
    }


def note_event(note_id: int) -> tuple[int, dict[str, Any]] | None:
    """A signed note's clinic and data: whose and when, not a word of what it says."""
    note = (
        SessionNote.objects.filter(pk=note_id, signed_at__isnull=False)
        .select_related("appointment__location")
        .first()
    )
    if note is None:
        return None
    appointment = note.appointment
    return appointment.location.clinic_id, {
        "note": note.pk,
        "appointment": appointment.pk,
        "patient": note.patient_id,
        "therapist": appointment.therapist_id,
        "signed_at": _iso(note.signed_at),
    }


def invoice_event(invoice_id: int, paid_at: datetime) -> tuple[int, dict[str, Any]] | None:
    """A paid invoice's clinic and data: its number and total (money, not health), not its
    lines (they name the treatment)."""
    invoice = Invoice.objects.filter(pk=invoice_id, kind=InvoiceKind.INVOICE).first()
    if invoice is None:
        return None
    return invoice.clinic_id, {
        "invoice": invoice.pk,
        "number": invoice.number,
        "appointment": invoice.appointment_id,
        "patient": invoice.patient_id,
        "amount": str(invoice.total),
        "currency": invoice.currency,
        "paid_at": _iso(paid_at),
    }
