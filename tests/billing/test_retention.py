"""Invoices are financial records the law keeps: deleting the patient's account erases their
saved cards and keeps every invoice, line, credit note, payment and refund, as issued (docs/
privacy.md, "Invoices and payments")."""

from __future__ import annotations

import pytest

from sciaticare.billing.models import CardOnFile, Invoice, InvoiceLine, Payment, Refund
from sciaticare.billing.money import Money
from sciaticare.billing.services import payments
from sciaticare.privacy import services as privacy
from tests.billing.books import UK, books, pay_cash

pytestmark = pytest.mark.django_db


def test_deleting_the_account_keeps_the_books_and_forgets_the_cards() -> None:
    b = books(UK, price="60.00")
    cash = pay_cash(b, "72.00")
    payments.refund(payment=cash, amount=Money.of("12.00", "GBP"), reason="Goodwill", by=b.admin)
    CardOnFile.objects.create(
        patient=b.patient, clinic=b.clinic, customer_id="cus_1", payment_method_id="pm_1"
    )
    issued = Invoice.objects.values().get(pk=b.invoice.pk)

    privacy.erase_account(user=b.patient)

    assert Invoice.objects.values().get(pk=b.invoice.pk) == issued  # as issued, buyer included
    assert InvoiceLine.objects.filter(invoice=b.invoice).count() == 1
    assert Payment.objects.filter(patient=b.patient).count() == 1
    assert Refund.objects.filter(payment__patient=b.patient).count() == 1
    assert not CardOnFile.objects.filter(patient=b.patient).exists()
    b.patient.refresh_from_db()
    assert not b.patient.is_active
