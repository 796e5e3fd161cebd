"""Invoices: numbered per clinic and year without gaps, frozen once issued (by the database),
corrected only by credit notes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from sciaticare.billing.models import Invoice, InvoiceKind, InvoiceLine, Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.services import invoices
from sciaticare.core.errors import Conflict
from tests.billing.factories import appointment_with_policy

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def _issue(at: object, amount: str = "55.00", **kwargs: object) -> Invoice:
    return invoices.issue(
        clinic=at.location.clinic,  # type: ignore[attr-defined]
        patient=at.patient,  # type: ignore[attr-defined]
        purpose=Purpose.SESSION,
        lines=[invoices.Line("Massage, 60 min", Money.of(amount, "GBP"))],
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def test_numbers_run_per_clinic_and_year_without_gaps() -> None:
    appointment = appointment_with_policy(tax_percent=Decimal(20))
    first, second = _issue(appointment), _issue(appointment)
    clinic = appointment.location.clinic.pk
    assert [first.number, second.number] == [f"C{clinic}-2027-000001", f"C{clinic}-2027-000002"]
    assert (first.subtotal, first.tax, first.total) == (
        Decimal("55.00"),
        Decimal("11.00"),
        Decimal("66.00"),
    )
    next_year = invoices.issue(
        clinic=appointment.location.clinic,
        patient=appointment.patient,
        purpose=Purpose.SESSION,
        lines=[invoices.Line("Massage", Money.of("1", "GBP"))],
        now=NOW.replace(year=2028, month=1, day=1),
    )
    assert next_year.number == f"C{clinic}-2028-000001"


def test_a_failed_issue_gives_its_number_back() -> None:
    appointment = appointment_with_policy()
    _issue(appointment)
    with pytest.raises(Conflict):  # a line in another currency: refused before anything
        invoices.issue(
            clinic=appointment.location.clinic,
            patient=appointment.patient,
            purpose=Purpose.SESSION,
            lines=[invoices.Line("Massage", Money.of("1", "EUR"))],
            now=NOW,
        )
    _issue(appointment, appointment=appointment)
    with pytest.raises(IntegrityError):  # a second session invoice: refused by the database
        _issue(appointment, appointment=appointment)
    assert _issue(appointment).sequence == 3  # 1, then 2 (the first with the appointment), 3


def test_issued_invoices_and_their_lines_never_change() -> None:
    invoice = _issue(appointment_with_policy())
    line = invoice.lines.get()
    refusals = DatabaseError
    with pytest.raises(refusals), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(
            total=Decimal("1.00"), subtotal=Decimal("1.00")
        )
    with pytest.raises(refusals), transaction.atomic():
        InvoiceLine.objects.filter(pk=line.pk).update(description="Something else")
    with pytest.raises(refusals), transaction.atomic():
        InvoiceLine.objects.create(
            invoice=invoice, description="Extra", unit_amount=Decimal(1), amount=Decimal(1)
        )
    invoice.refresh_from_db()
    assert invoice.total == Decimal("55.00")


def test_an_invoice_is_born_a_draft_and_issued_only_when_its_lines_add_up() -> None:
    issued = _issue(appointment_with_policy())
    refusals = DatabaseError
    fields = {
        f.attname: getattr(issued, f.attname)
        for f in Invoice._meta.concrete_fields
        if f.attname not in ("id", "number", "sequence")
    }
    with pytest.raises(refusals), transaction.atomic():
        Invoice.objects.create(**{**fields, "number": "X-1", "sequence": 99})
    draft = Invoice.objects.create(
        **{**fields, "status": "draft", "number": "X-2", "sequence": 100}
    )
    with pytest.raises(refusals), transaction.atomic():
        Invoice.objects.filter(pk=draft.pk).update(status="issued")  # no lines: 0 ≠ 55


def test_negative_amounts_are_refused_by_the_database() -> None:
    issued = _issue(appointment_with_policy())
    fields = {
        f.attname: getattr(issued, f.attname)
        for f in Invoice._meta.concrete_fields
        if f.attname not in ("id", "number", "sequence")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            **{
                **fields,
                "status": "draft",
                "number": "X-3",
                "sequence": 101,
                "subtotal": Decimal("-5.00"),
                "tax": Decimal(0),
                "total": Decimal("-5.00"),
            }
        )


def test_a_credit_note_corrects_an_invoice_once() -> None:
    invoice = _issue(appointment_with_policy(tax_percent=Decimal(20)))
    note = invoices.credit(invoice=invoice, reason="Charged twice", by=invoice.patient, now=NOW)
    assert (note.kind, note.credits, note.total) == (
        InvoiceKind.CREDIT_NOTE,
        invoice,
        Decimal("66.00"),
    )
    assert note.sequence == invoice.sequence + 1  # one series for invoices and credit notes
    with pytest.raises(Conflict, match="already fully credited"):
        invoices.credit(invoice=invoice, reason="Again", by=invoice.patient, now=NOW)
    with pytest.raises(Conflict, match="cannot itself be credited"):
        invoices.credit(invoice=note, reason="x", by=invoice.patient, now=NOW)
