"""Payments against the local processor: a saved card charged once whatever the retries, fees
invoiced and charged once per session with the deposit counted, refunds never above what was
paid, webhook events applied once in any order, and a charge whose answer was lost recorded
once by the reconciliation job."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from sciaticare.billing import processor
from sciaticare.billing.models import (
    Invoice,
    Payment,
    PaymentMethod,
    PaymentStatus,
    ProcessorEvent,
    Purpose,
)
from sciaticare.billing.money import Money
from sciaticare.billing.services import cards, events, fees, invoices, payments
from sciaticare.core.errors import Conflict
from tests.billing.books import UK, books
from tests.billing.factories import appointment_with_policy
from tests.stripe import CARD, CARD_3DS, CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db


def _with_card(stripe_server: StripeServer, number: str = CARD, **policy: Any) -> Any:
    appointment = appointment_with_policy(**policy)
    clinic, patient = appointment.location.clinic, appointment.patient
    setup = cards.start_setup(patient=patient, clinic=clinic)
    stripe_server.save_card(setup.client_secret, number)
    card = cards.save(patient=patient, clinic=clinic, setup_intent=setup.id)
    assert (card.brand, card.last4) == ("visa", number[-4:])
    return appointment


def _deposit(appointment: Any, amount: str = "11.00") -> Payment:
    return payments.new(
        clinic=appointment.location.clinic,
        patient=appointment.patient,
        purpose=Purpose.SESSION,
        amount=Money.of(amount, "GBP"),
        appointment=appointment,
    )


def _charges(stripe_server: StripeServer) -> list[dict[str, Any]]:
    listed = stripe_server.call("GET", "/v1/events?limit=100")["data"]
    return [e for e in listed if e["type"] == "payment_intent.succeeded"]


def test_a_saved_card_is_charged_once_whatever_the_retries(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server)
    payment = _deposit(appointment)
    first = payments.take(payment=payment, present=True)
    again = payments.take(payment=payment, present=True)  # a double click
    assert (first.status, again.status) == (PaymentStatus.SUCCEEDED, PaymentStatus.SUCCEEDED)
    assert len(_charges(stripe_server)) == 1
    assert _charges(stripe_server)[0]["data"]["object"]["amount"] == 1100


def test_a_card_the_bank_checks_waits_for_the_patient(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server, CARD_3DS)
    payment = payments.take(payment=_deposit(appointment), present=True)
    assert payment.status == PaymentStatus.REQUIRES_ACTION
    assert payments.finish(payment=payment).status == PaymentStatus.REQUIRES_ACTION
    secret = processor.payment(account="", intent=payment.processor_id).client_secret
    stripe_server.authenticate(secret)
    assert payments.finish(payment=payment).status == PaymentStatus.SUCCEEDED


def test_a_declined_card_fails_with_words_for_the_patient(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server, CARD_DECLINED_ON_CHARGE)
    payment = payments.take(payment=_deposit(appointment), present=True)
    assert (payment.status, payment.failure) == (PaymentStatus.FAILED, "Your card was declined.")


def test_no_card_no_charge(stripe_server: StripeServer) -> None:
    payment = payments.take(payment=_deposit(appointment_with_policy()), present=False)
    assert (payment.status, payment.failure) == (
        PaymentStatus.FAILED,
        "No card is saved for this clinic.",
    )


def test_a_setup_of_someone_elses_card_is_refused(stripe_server: StripeServer) -> None:
    mine = appointment_with_policy()
    theirs = appointment_with_policy()
    setup = cards.start_setup(patient=theirs.patient, clinic=theirs.location.clinic)
    stripe_server.save_card(setup.client_secret)
    cards.start_setup(patient=mine.patient, clinic=theirs.location.clinic)
    with pytest.raises(Conflict, match="someone else"):
        cards.save(patient=mine.patient, clinic=theirs.location.clinic, setup_intent=setup.id)


def test_a_no_show_fee_is_invoiced_and_charged_once(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server)
    first = fees.charge_fee(appointment=appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    again = fees.charge_fee(appointment=appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    assert first is not None
    assert again == first
    assert first.total == Decimal("30.00")
    assert Invoice.objects.filter(appointment=appointment).count() == 1
    assert [p.status for p in first.payments.all()] == [PaymentStatus.SUCCEEDED]
    assert len(_charges(stripe_server)) == 1


def test_a_fee_counts_the_deposit_and_gives_back_the_rest(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server)
    deposit = payments.take(payment=_deposit(appointment, "55.00"), present=True)
    invoice = fees.charge_fee(appointment=appointment, purpose=Purpose.LATE_CANCEL_FEE, by=None)
    assert invoice is not None
    assert invoice.total == Decimal("20.00")
    deposit.refresh_from_db()
    assert deposit.invoice == invoice
    assert payments.refunded(deposit) == Money.of("35.00", "GBP")
    assert len(_charges(stripe_server)) == 1  # the deposit only: nothing more was charged


def test_a_fee_above_the_deposit_charges_the_difference(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server)
    payments.take(payment=_deposit(appointment, "11.00"), present=True)
    invoice = fees.charge_fee(appointment=appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    assert invoice is not None
    assert sorted(p.amount for p in invoice.payments.all()) == [Decimal("11.00"), Decimal("19.00")]


def test_no_fee_in_the_policy_no_invoice(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server, no_show_fee=Decimal(0))
    assert fees.charge_fee(appointment=appointment, purpose=Purpose.NO_SHOW_FEE, by=None) is None
    assert not Invoice.objects.exists()


def test_waiving_a_paid_fee_credits_it_and_refunds_it(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server)
    invoice = fees.charge_fee(appointment=appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    assert invoice is not None
    admin = appointment.location.clinic.admins.first() or appointment.patient
    note = fees.waive(invoice=invoice, reason="Hospital visit, letter seen", by=admin)
    assert (note.credits, note.total) == (invoice, Decimal("30.00"))
    (payment,) = invoice.payments.all()
    assert payments.refunded(payment) == Money.of("30.00", "GBP")
    refunds = stripe_server.call("GET", "/v1/refunds")["data"]
    assert [r["amount"] for r in refunds] == [3000]


def test_refunds_never_exceed_the_payment(stripe_server: StripeServer) -> None:
    appointment = _with_card(stripe_server)
    payment = payments.take(payment=_deposit(appointment, "11.00"), present=True)
    payments.refund(payment=payment, amount=Money.of("6.00", "GBP"), reason="Goodwill", by=None)
    with pytest.raises(Conflict, match=r"At most 5\.00 GBP"):
        payments.refund(payment=payment, amount=Money.of("6.00", "GBP"), reason="Again", by=None)
    with pytest.raises(Conflict, match="why"):
        payments.refund(payment=payment, amount=Money.of("1.00", "GBP"), reason=" ", by=None)


def test_a_payment_taken_at_the_clinic_is_recorded() -> None:
    b = books(UK, price="30.00")  # £36.00 with VAT
    cash = payments.record_taken(
        invoice=b.invoice, amount=b.money("20.00"), method=PaymentMethod.CASH, by=b.admin
    )
    assert (cash.status, cash.method) == (PaymentStatus.SUCCEEDED, PaymentMethod.CASH)
    refund = payments.refund(payment=cash, amount=b.money("5.00"), reason="x", by=None)
    assert refund.status == PaymentStatus.SUCCEEDED
    assert not refund.processor_id


@pytest.mark.parametrize(
    ("amount", "currency", "refused"),
    [
        ("21.00", "GBP", r"at most 16\.00 GBP"),  # £36 owed, £20 taken
        ("0.00", "GBP", r"more than 0"),
        ("5.00", "EUR", r"in GBP"),
    ],
)
def test_the_desk_cannot_record_more_than_is_owed(amount: str, currency: str, refused: str) -> None:
    """The service itself refuses, whatever form or API calls it."""
    b = books(UK, price="30.00")
    payments.record_taken(
        invoice=b.invoice, amount=b.money("20.00"), method=PaymentMethod.CASH, by=b.admin
    )
    with pytest.raises(Conflict, match=refused):
        payments.record_taken(
            invoice=b.invoice,
            amount=Money.of(amount, currency),
            method=PaymentMethod.CARD_TERMINAL,
            by=b.admin,
        )
    assert b.invoice.payments.count() == 1


def test_no_payment_is_recorded_against_a_credit_note() -> None:
    b = books(UK, price="30.00")
    note = invoices.credit(invoice=b.invoice, reason="Error", by=b.admin)
    with pytest.raises(Conflict, match="issued invoices only"):
        payments.record_taken(
            invoice=note, amount=b.money("1.00"), method=PaymentMethod.CASH, by=b.admin
        )


def _event(event_id: str, kind: str, payment: Payment) -> processor.Event:
    return processor.Event(
        event_id,
        kind,
        {
            "id": payment.processor_id or "pi_x",
            "amount": Money.of(payment.amount, payment.currency).to_minor(),
            "currency": payment.currency.lower(),
            "metadata": {"payment": str(payment.pk)},
        },
    )


def test_webhook_events_apply_once_and_success_is_final(stripe_server: StripeServer) -> None:
    payment = _deposit(appointment_with_policy())
    assert events.handle(_event("evt_1", "payment_intent.succeeded", payment))
    assert not events.handle(_event("evt_1", "payment_intent.succeeded", payment))  # replay
    events.handle(_event("evt_0", "payment_intent.payment_failed", payment))  # late, older
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert ProcessorEvent.objects.count() == 2


def test_a_charge_whose_answer_was_lost_is_recorded_once_by_reconciliation(
    stripe_server: StripeServer,
) -> None:
    appointment = _with_card(stripe_server)
    payment = _deposit(appointment)
    # The process died after the processor charged and before our record: the row is claimed
    # but says nothing of the outcome.
    claimed_at = timezone.now() - timedelta(minutes=5)
    Payment.objects.filter(pk=payment.pk).update(attempted_at=claimed_at)
    card = appointment.patient.cards_on_file.get()
    processor.charge(
        account="",
        customer=card.customer_id,
        payment_method=card.payment_method_id,
        amount=Money.of("11.00", "GBP"),
        key=payment.idempotency_key,
        payment_id=payment.pk,
        present=False,
    )
    assert payments.take(payment=payment, present=False).status == PaymentStatus.PENDING
    assert events.reconcile() == 1
    assert events.reconcile() == 0
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.processor_id
    assert len(_charges(stripe_server)) == 1


def test_the_command_records_a_lost_answer_once_and_says_how_many(
    stripe_server: StripeServer,
) -> None:
    appointment = _with_card(stripe_server)
    payment = _deposit(appointment)
    Payment.objects.filter(pk=payment.pk).update(attempted_at=timezone.now())
    card = appointment.patient.cards_on_file.get()
    processor.charge(
        account="",
        customer=card.customer_id,
        payment_method=card.payment_method_id,
        amount=Money.of("11.00", "GBP"),
        key=payment.idempotency_key,
        payment_id=payment.pk,
        present=False,
    )
    outputs = []
    for args in ([], ["--unanswered-for", "0"], ["--unanswered-for", "0"]):
        out = io.StringIO()
        call_command("reconcile_payments", *args, stdout=out)
        outputs.append(out.getvalue().strip())

    # Too young at first (it may still be waiting for its answer), then settled once.
    assert outputs == ["0 payment(s) settled.", "1 payment(s) settled.", "0 payment(s) settled."]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
