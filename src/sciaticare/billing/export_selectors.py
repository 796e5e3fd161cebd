"""What a patient's FHIR export says of their money (interop builds `Invoice` resources from
it; billing sits below interop, so interop reads billing, never the other way round).

Issued invoices only (a credit note is not exported on its own: it is a note on the invoice it
credits), each with its lines, its tax, where it stands (to pay, paid, credited) and, as notes,
the refunds and credit notes that changed it. Amounts are Decimal in the invoice's currency.
FHIR content is machine data: its words are English whatever language the export is asked in
(docs/i18n.md); what people wrote (a reason, an issued line) is as they wrote it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import translation

from sciaticare.accounts.models import User
from sciaticare.billing.invoice_selectors import InvoiceState, figures_of, with_sums
from sciaticare.billing.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentStatus,
    Purpose,
    Refund,
)


@dataclass(frozen=True)
class ExportedLine:
    description: str
    code: str  # e.g. CPT 97124 on a US clinic's session
    quantity: int
    amount: Decimal  # quantity × unit amount, before tax


@dataclass(frozen=True)
class ExportedInvoice:
    pk: int
    number: str
    purpose: str  # in words: "Session", "Missed session fee", …
    state: InvoiceState
    issued_at: datetime
    currency: str
    clinic_id: int
    therapist_id: int | None
    tax_percent: Decimal
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    balance: Decimal
    lines: tuple[ExportedLine, ...]
    notes: tuple[str, ...]


def _english(words: object) -> str:
    with translation.override("en"):
        return str(words)


def _notes(invoice: Invoice) -> tuple[str, ...]:
    notes = []
    for payment in invoice.payments.all():
        for refund in payment.refunds.all():
            notes.append(
                f"Refunded {refund.amount} {invoice.currency} on "
                f"{refund.created_at.date().isoformat()}: {refund.reason}"
            )
    for note in invoice.credit_notes.all():
        notes.append(
            f"Credit note {note.number} for {note.total} {note.currency} on "
            f"{note.issued_at.date().isoformat()}: {note.reason}"
        )
    return tuple(notes)


def invoices_to_export(
    *, patient: User, clinic_ids: Collection[int] | None = None
) -> list[ExportedInvoice]:
    """The patient's issued invoices (with `clinic_ids`, only those clinics'), oldest first."""
    invoices = Invoice.objects.filter(
        patient=patient, kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED
    )
    if clinic_ids is not None:
        invoices = invoices.filter(clinic_id__in=clinic_ids)
    refunds = Refund.objects.filter(status=PaymentStatus.SUCCEEDED).order_by("created_at", "pk")
    payments = Payment.objects.filter(status=PaymentStatus.SUCCEEDED).order_by("pk")
    rows = (
        with_sums(invoices)
        .select_related("appointment")
        .prefetch_related(
            "lines",
            Prefetch("payments", queryset=payments.prefetch_related(Prefetch("refunds", refunds))),
            Prefetch("credit_notes", Invoice.objects.order_by("issued_at", "pk")),
        )
        .order_by("issued_at", "pk")
    )
    exported = []
    for invoice in rows:
        figures = figures_of(invoice)
        assert figures.state is not None  # an invoice, not a credit note
        exported.append(
            ExportedInvoice(
                pk=invoice.pk,
                number=invoice.number,
                purpose=_english(Purpose(invoice.purpose).label),
                state=figures.state,
                issued_at=invoice.issued_at,
                currency=invoice.currency,
                clinic_id=invoice.clinic_id,
                therapist_id=invoice.appointment.therapist_id if invoice.appointment else None,
                tax_percent=invoice.tax_percent,
                subtotal=invoice.subtotal,
                tax=invoice.tax,
                total=invoice.total,
                balance=figures.balance.amount,
                lines=tuple(
                    ExportedLine(line.description, line.code, line.quantity, line.amount)
                    for line in sorted(invoice.lines.all(), key=lambda line: line.pk)
                ),
                notes=_notes(invoice),
            )
        )
    return exported
