"""Refunds the card processor does not answer (finding A3): the refund stays pending (the
processor may have made it, its answer lost) and counts as on its way, so nothing can give the
same money back twice; the admin's page says so instead of failing; the reconciliation job tries
the same refund row again and records its outcome once; one the processor made is found, not
made again; one it refuses frees its amount. The processor is down by pointing its address at a
closed port, and back by leaving the override; everything else is the local processor."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from sciaticare.billing import processor
from sciaticare.billing.models import Invoice, Payment, PaymentStatus, Purpose, Refund
from sciaticare.billing.money import Money
from sciaticare.billing.services import cards, deposits, fees, payments, sessions
from sciaticare.core.errors import Conflict, PaymentFailed
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.services import booking, changes
from tests.billing.books import UK, Books, books, pay_by_card
from tests.billing.factories import deposit_therapist
from tests.scheduling.helpers import at, bookable_patient
from tests.stripe import CARD, StripeServer

pytestmark = pytest.mark.django_db


def down() -> Any:
    """The processor does not answer: nothing listens on the discard port."""
    return override_settings(STRIPE_API_BASE="http://127.0.0.1:9")


def _refunds_at_processor(stripe_server: StripeServer, payment: Payment) -> list[dict[str, Any]]:
    intent = payment.processor_id
    return list(stripe_server.call("GET", f"/v1/refunds?payment_intent={intent}")["data"])


def _reconcile() -> str:
    out = io.StringIO()
    call_command("reconcile_payments", "--unanswered-for", "0", stdout=out)
    return out.getvalue().strip()


def _client(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _paid(stripe_server: StripeServer) -> tuple[Books, Payment]:
    b = books(UK, price="50.00")
    return b, pay_by_card(stripe_server, b, "60.00")


def test_an_unanswered_refund_stays_pending_counts_as_on_its_way_and_is_retried_once(
    stripe_server: StripeServer,
) -> None:
    b, paid = _paid(stripe_server)
    with down(), pytest.raises(PaymentFailed) as refused:
        payments.refund(payment=paid, amount=b.money("60.00"), reason="Goodwill", by=b.admin)
    assert refused.value.code == "processor_unavailable"
    assert "retried automatically" in refused.value.message
    (pending,) = Refund.objects.all()
    assert pending.status == PaymentStatus.PENDING
    # Not given back, but on its way: nothing more may be refunded meanwhile.
    assert payments.refunded(paid) == b.money("0.00")
    assert payments.left_to_refund(paid) == b.money("0.00")
    with pytest.raises(Conflict, match=r"At most 0\.00 GBP"):
        payments.refund(payment=paid, amount=b.money("1.00"), reason="Again", by=b.admin)

    # Younger than a minute: it may still be waiting for its first answer.
    assert payments.retry_pending_refunds(now=pending.created_at + timedelta(seconds=30)) == 0
    assert _refunds_at_processor(stripe_server, paid) == []
    # Still down a minute later: still pending, tried again next time.
    later = pending.created_at + timedelta(minutes=2)
    with down():
        assert payments.retry_pending_refunds(now=later) == 0
    assert Refund.objects.get().status == PaymentStatus.PENDING

    # The processor is back: the same row is given back, once, whatever the runs.
    assert payments.retry_pending_refunds(now=later) == 1
    assert _reconcile() == "0 payment(s) settled."
    done = Refund.objects.get()
    assert (done.pk, done.status) == (pending.pk, PaymentStatus.SUCCEEDED)
    (made,) = _refunds_at_processor(stripe_server, paid)
    assert (made["id"], made["amount"]) == (done.processor_id, 6000)
    assert payments.refunded(paid) == b.money("60.00")


def test_a_retry_of_a_refund_the_processor_made_does_not_refund_twice(
    stripe_server: StripeServer,
) -> None:
    b, paid = _paid(stripe_server)
    with down(), pytest.raises(PaymentFailed):
        payments.refund(payment=paid, amount=b.money("25.00"), reason="Goodwill", by=b.admin)
    pending = Refund.objects.get()
    # The processor did make it; only its answer was lost on the way back.
    made = processor.refund(
        account="",
        intent=paid.processor_id,
        amount=b.money("25.00"),
        key=pending.idempotency_key,
        refund_id=pending.pk,
    )
    assert payments.retry_refund(pending).status == PaymentStatus.SUCCEEDED
    assert payments.retry_refund(pending).processor_id == made.id
    assert _reconcile() == "0 payment(s) settled."
    assert [r["id"] for r in _refunds_at_processor(stripe_server, paid)] == [made.id]
    assert payments.left_to_refund(paid) == b.money("35.00")


def test_a_refund_the_processor_refuses_fails_with_why_and_frees_its_amount(
    stripe_server: StripeServer,
) -> None:
    b, paid = _paid(stripe_server)
    intent = paid.processor_id
    Payment.objects.filter(pk=paid.pk).update(processor_id="pi_unknown")  # the processor: 404
    paid.refresh_from_db()
    refused = payments.refund(payment=paid, amount=b.money("60.00"), reason="Goodwill", by=None)
    assert refused.status == PaymentStatus.FAILED
    assert "(refused: " in refused.reason
    assert payments.left_to_refund(paid) == b.money("60.00")

    # A pending one the processor refuses when retried fails the same way.
    with down(), pytest.raises(PaymentFailed):
        payments.refund(payment=paid, amount=b.money("60.00"), reason="Again", by=None)
    assert payments.retry_pending_refunds(now=refused.created_at + timedelta(hours=1)) == 1
    assert {r.status for r in Refund.objects.all()} == {PaymentStatus.FAILED}

    Payment.objects.filter(pk=paid.pk).update(processor_id=intent)
    paid.refresh_from_db()
    given = payments.refund(payment=paid, amount=b.money("60.00"), reason="Third", by=None)
    assert given.status == PaymentStatus.SUCCEEDED
    assert len(_refunds_at_processor(stripe_server, paid)) == 1


def test_the_admins_refund_page_says_the_refund_is_pending_not_a_500(
    stripe_server: StripeServer,
) -> None:
    b, paid = _paid(stripe_server)
    client = _client(b.admin)
    url = reverse("billing:refund", args=[paid.pk])
    form = {"amount": "60.00", "reason": "Goodwill", "confirm": "yes"}
    with down():
        answer = client.post(url, form, follow=True)
    assert answer.redirect_chain == [(reverse("billing:invoice", args=[b.invoice.pk]), 302)]
    page = answer.content.decode()
    assert "The card processor did not answer." in page
    assert "retried automatically" in page
    assert "On its way" in page  # the refund's row on the invoice
    # Nothing is left to refund while it is on its way: the page says so, not "not found".
    again = client.get(url, follow=True)
    assert again.redirect_chain[-1][1] == 302
    assert "is on its way back" in again.content.decode()

    # The patient's Payments page says the same.
    patient = _client(b.patient)
    assert "On its way" in patient.get(reverse("billing:payments")).content.decode()

    _reconcile()
    assert Refund.objects.get().status == PaymentStatus.SUCCEEDED
    assert "Given back" in patient.get(reverse("billing:payments")).content.decode()
    assert client.get(url).status_code == 404  # all given back now


def test_a_fee_waived_during_an_outage_keeps_its_credit_note_and_gives_back_later(
    stripe_server: StripeServer,
) -> None:
    b, _ = _paid(stripe_server)
    fee = fees.charge_fee(appointment=b.appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    assert fee is not None
    (fee_payment,) = fee.payments.filter(status=PaymentStatus.SUCCEEDED)
    client = _client(b.admin)
    with down():
        answer = client.post(
            reverse("billing:waive", args=[fee.pk]),
            {"reason": "Hospital visit", "confirm": "yes"},
            follow=True,
        )
    assert answer.redirect_chain == [(reverse("billing:invoice", args=[fee.pk]), 302)]
    note = Invoice.objects.get(credits=fee)  # the credit note stands
    page = answer.content.decode()
    assert f"credit note {note.number}" in page
    assert "did not answer the refund of £36.00" in page
    assert "retried automatically" in page
    assert Refund.objects.get(payment=fee_payment).status == PaymentStatus.PENDING

    assert _reconcile() == "0 payment(s) settled.\n1 refund(s) settled."
    assert payments.refunded(fee_payment) == b.money("36.00")
    assert [r["amount"] for r in _refunds_at_processor(stripe_server, fee_payment)] == [3600]


def _booked_with_deposit(stripe_server: StripeServer) -> tuple[Any, Payment]:
    therapist, _, _ = deposit_therapist()
    held = booking.book_appointment(
        patient=bookable_patient(), therapist_id=therapist.pk, start=at(5, 10)
    )
    deposit = Payment.objects.get(appointment=held)
    setup = cards.start_setup(patient=deposit.patient, clinic=deposit.clinic)
    stripe_server.save_card(setup.client_secret, CARD)
    paid = deposits.pay_with_new_card(payment=deposit, setup_intent=setup.id)
    held.refresh_from_db()
    assert (held.status, paid.status) == (AppointmentStatus.BOOKED, PaymentStatus.SUCCEEDED)
    return held, paid


def test_a_deposit_given_back_during_an_outage_comes_back_once_the_processor_answers(
    stripe_server: StripeServer,
) -> None:
    appointment, deposit = _booked_with_deposit(stripe_server)
    changes.cancel_appointment(
        user=appointment.patient,
        appointment_id=appointment.pk,
        now=appointment.start - timedelta(days=4),
    )
    with down():
        assert sessions.settle_cancellation(appointment_id=appointment.pk) is None
    (pending,) = Refund.objects.filter(payment=deposit)
    assert (pending.status, pending.amount) == (PaymentStatus.PENDING, Decimal("10.00"))
    with down():  # a retried task gives nothing more
        sessions.settle_cancellation(appointment_id=appointment.pk)
    assert Refund.objects.filter(payment=deposit).count() == 1

    assert _reconcile() == "0 payment(s) settled.\n1 refund(s) settled."
    sessions.settle_cancellation(appointment_id=appointment.pk)
    assert payments.refunded(deposit).amount == Decimal("10.00")
    assert [r["amount"] for r in _refunds_at_processor(stripe_server, deposit)] == [1000]


def test_an_admins_pending_refund_then_a_cancellation_gives_the_deposit_back_once(
    stripe_server: StripeServer,
) -> None:
    appointment, deposit = _booked_with_deposit(stripe_server)
    admin = appointment.location.clinic.admins.first() or appointment.patient
    with down(), pytest.raises(PaymentFailed):
        payments.refund(
            payment=deposit, amount=Money.of("10.00", "GBP"), reason="Goodwill", by=admin
        )
    changes.cancel_appointment(
        user=appointment.patient,
        appointment_id=appointment.pk,
        now=appointment.start - timedelta(days=4),
    )
    # The cancellation finds the deposit on its way back already: nothing more is refunded.
    sessions.settle_cancellation(appointment_id=appointment.pk)
    assert Refund.objects.filter(payment=deposit).count() == 1
    _reconcile()
    assert payments.refunded(deposit).amount == Decimal("10.00")
    assert len(_refunds_at_processor(stripe_server, deposit)) == 1
