"""`seed_demo` gives the demo clinic months of money: deposits, fees and refunds through the local
card processor, invoices and receipts, a waived fee, a cash payment at the desk, and a superbill
for the demo patient; once, however often `make run` runs."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.billing import demo
from sciaticare.billing.document_selectors import insurer_document
from sciaticare.billing.invoice_selectors import statement_of
from sciaticare.billing.models import (
    CardOnFile,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
)
from sciaticare.billing.services.sessions import REFUNDED_IN_TIME
from tests.stripe import StripeServer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 10, 20, tzinfo=UTC)  # a Saturday morning


def _money() -> dict[str, object]:
    return {
        "invoices": sorted(
            Invoice.objects.values_list("clinic__name", "kind", "purpose").annotate(n=Count("id"))
        ),
        "payments": sorted(
            Payment.objects.values_list("method", "status", "purpose").annotate(n=Count("id"))
        ),
        "refunds": Refund.objects.count(),
    }


def test_seed_demo_takes_the_demo_money_through_the_local_processor_once(
    stripe_server: StripeServer, client, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    call_command("seed_demo")
    maya = User.objects.get(email="patient@example.com")
    mine = Invoice.objects.filter(patient=maya)

    kinds = {row[:3]: row[3] for row in _money()["invoices"]}  # type: ignore[attr-defined]
    didsbury, boston = "Didsbury Back Care", demo.US_CLINIC
    assert kinds[(boston, "invoice", "session")] == 2
    assert kinds[(didsbury, "invoice", "late_cancel_fee")] == 1
    assert kinds[(didsbury, "credit_note", "late_cancel_fee")] == 1
    assert kinds[(didsbury, "invoice", "no_show_fee")] == 1
    assert mine.filter(clinic__name=didsbury, purpose="session").count() >= 8
    assert kinds[(didsbury, "invoice", "session")] > mine.filter(purpose="session").count()

    # The card on file is the test card, kept at the processor; every card payment and refund
    # is there too.
    card = CardOnFile.objects.get(patient=maya)
    assert (card.brand, card.last4) == ("visa", "4242")
    online = Payment.objects.filter(method=PaymentMethod.CARD_ONLINE)
    assert online.count() == online.filter(status=PaymentStatus.SUCCEEDED).count() >= 10
    charges = stripe_server.call("GET", "/v1/payment_intents?limit=100")["data"]
    assert {c["id"] for c in charges} == set(online.values_list("processor_id", flat=True))
    refunds = stripe_server.call("GET", "/v1/refunds?limit=100")["data"]
    assert len(refunds) == Refund.objects.count() == 3
    assert Refund.objects.filter(reason=REFUNDED_IN_TIME, amount=Decimal("11.00")).exists()

    # The missed-session fee charged once; the late-cancellation fee waived with a reason.
    no_show = mine.get(purpose="no_show_fee")
    assert no_show.payments.filter(status=PaymentStatus.SUCCEEDED).count() == 2  # deposit + rest
    waived = mine.get(kind="credit_note")
    assert waived.reason == demo.WAIVED
    assert Payment.objects.filter(method=PaymentMethod.CASH, recorded_by__isnull=False).exists()

    # What Maya owes: the latest session's rest (a credit note owes nothing).
    owed = {s.clinic.name: [m.amount for m in s.owed] for s in statement_of(patient=maya)}
    assert owed == {didsbury: [Decimal("44.00")], boston: []}

    # A superbill for each Boston session: CPT 97124 by units, her sciatica's side, the NPI.
    paper = insurer_document(viewer=maya, invoice_id=mine.filter(clinic__name=boston)[0].pk)
    assert (paper.kind, paper.cpt, paper.units, paper.diagnosis) == (
        "superbill",
        "97124",
        4,
        "M54.31",
    )
    assert paper.seller["npi"] == demo.US_POLICY.npi
    client.force_login(maya)
    answer = client.get(f"/billing/invoices/{paper.detail.invoice.pk}/for-insurer/")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")

    # `make run` again: nothing added, here or at the processor.
    before = _money()
    call_command("seed_demo")
    assert _money() == before
    assert len(stripe_server.call("GET", "/v1/payment_intents?limit=100")["data"]) == len(charges)


def test_without_a_card_processor_the_demo_money_is_paid_at_the_desk(settings, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    settings.STRIPE_SECRET_KEY = ""
    call_command("seed_demo")

    assert not Payment.objects.filter(method=PaymentMethod.CARD_ONLINE).exists()
    assert not CardOnFile.objects.exists()
    maya_fees = Invoice.objects.filter(
        patient__email="patient@example.com", purpose__in=["late_cancel_fee", "no_show_fee"]
    )
    assert maya_fees.filter(kind="invoice").count() == 2
    assert all(
        f.payments.get().method == PaymentMethod.CASH for f in maya_fees.filter(kind="invoice")
    )
    assert Refund.objects.get().payment.method == PaymentMethod.CASH  # the waived fee, back
    assert Invoice.objects.filter(clinic__name=demo.US_CLINIC).count() == 2
