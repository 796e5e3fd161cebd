"""Issuing invoices and credit notes.

Numbers run per clinic and calendar year (`C7-2027-000123`) without gaps and are never reused:
the year's counter row is locked, incremented and the invoice inserted in one transaction, so a
rollback returns the number with everything else and two issuers wait for each other
(tests/billing/test_invoice_numbers.py runs parallel issuers on PostgreSQL). An issued invoice
never changes (the database refuses it); a correction is a credit note that points at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.billing.models import (
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Purpose,
)
from sciaticare.billing.money import Money, invoice_number, totals
from sciaticare.billing.selectors import credited, policy_of, seller
from sciaticare.core.errors import Conflict
from sciaticare.directory.models import Clinic
from sciaticare.scheduling.models import Appointment


@dataclass(frozen=True)
class Line:
    description: str
    unit: Money
    quantity: int = 1
    code: str = ""

    @property
    def amount(self) -> Money:
        return Money(self.unit.amount * self.quantity, self.unit.currency)


def _next_sequence(clinic: Clinic, year: int) -> int:
    InvoiceCounter.objects.get_or_create(clinic=clinic, year=year)
    counter = InvoiceCounter.objects.select_for_update().get(clinic=clinic, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def issue(
    *,
    clinic: Clinic,
    patient: User,
    purpose: Purpose,
    lines: Sequence[Line],
    appointment: Appointment | None = None,
    credits: Invoice | None = None,
    reason: str = "",
    by: User | None = None,
    now: datetime | None = None,
) -> Invoice:
    """Issue an invoice (or, with `credits`, a credit note against it) with its next number.

    Tax is the policy's rate on the subtotal; a credit note takes the rate of the invoice it
    corrects. Amounts must be in the policy's currency.
    """
    now = now or timezone.now()
    policy = policy_of(clinic)
    currency = credits.currency if credits else policy.currency
    if not lines or any(line.unit.currency != currency for line in lines):
        raise Conflict(
            "currency",
            gettext("Every line of this clinic's invoices is in %(currency)s.")
            % {"currency": currency},
        )
    rate = credits.tax_percent if credits else policy.tax_percent
    sums = totals([line.amount for line in lines], tax_percent=Decimal(rate), currency=currency)
    with transaction.atomic():
        sequence = _next_sequence(clinic, now.year)
        invoice = Invoice.objects.create(
            clinic=clinic,
            patient=patient,
            appointment=appointment,
            kind=InvoiceKind.CREDIT_NOTE if credits else InvoiceKind.INVOICE,
            purpose=purpose,
            credits=credits,
            reason=reason[:300],
            year=now.year,
            sequence=sequence,
            number=invoice_number(clinic.pk, now.year, sequence),
            issued_at=now,
            currency=currency,
            subtotal=sums.subtotal.amount,
            tax_percent=rate,
            tax=sums.tax.amount,
            total=sums.total.amount,
            seller=seller(policy),
            buyer_name=patient.get_full_name() or patient.email,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                description=line.description[:200],
                code=line.code,
                quantity=line.quantity,
                unit_amount=line.unit.amount,
                amount=line.amount.amount,
            )
            for line in lines
        )
        invoice.status = InvoiceStatus.ISSUED
        invoice.save(update_fields=["status"])
        record_event(
            actor=by,
            action="billing.credit_note" if credits else "billing.invoice",
            patient=patient,
            obj=invoice,
        )
    return invoice


def _credit_line(invoice: Invoice, left: Money) -> Line:
    """Written once, for the credit note's buyer: in the patient's language."""
    with translation.override(invoice.patient.language):
        return Line(gettext("Credit for %(number)s") % {"number": invoice.number}, left)


def credit(*, invoice: Invoice, reason: str, by: User, now: datetime | None = None) -> Invoice:
    """A credit note for what is left of `invoice` (all of it unless credited before)."""
    if invoice.kind != InvoiceKind.INVOICE:
        raise Conflict("not_an_invoice", gettext("A credit note cannot itself be credited."))
    if not reason.strip():
        raise Conflict("reason_required", gettext("Say why the invoice is credited."))
    with transaction.atomic():
        # The invoice's row is the lock that keeps two credit notes from crediting it twice.
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        left = Money(locked.subtotal, locked.currency) - credited(locked)
        if left.amount == 0:
            raise Conflict("already_credited", gettext("This invoice is already fully credited."))
        return issue(
            clinic=locked.clinic,
            patient=locked.patient,
            purpose=Purpose(locked.purpose),
            lines=[_credit_line(locked, left)],
            appointment=None,
            credits=locked,
            reason=reason,
            by=by,
            now=now,
        )
