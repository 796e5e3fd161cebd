"""The processor's webhook, `POST /api/v1/payments/webhook`: events signed by the local
processor itself and posted to a live server, and events signed here the way Stripe signs them
(replays, wrong or missing signatures, a failure after a success, types we ignore, bodies that
are not events). A deposit's booking follows the payment the webhook reports, as it does after
the deposit page's own call."""

from __future__ import annotations

import json
import time
import urllib.error
from typing import Any

import pytest
from django.test import Client, TestCase

from sciaticare.billing.models import Payment, PaymentStatus, ProcessorEvent
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.billing.factories import deposit_therapist
from tests.scheduling.helpers import at, bookable_patient
from tests.stripe import (
    CARD_3DS,
    CARD_3DS_THEN_DECLINED,
    StripeServer,
    send_webhooks_to,
    sign,
    stop_webhooks,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/webhook"


def _held_deposit(stripe_server: StripeServer, card: str = CARD_3DS) -> tuple[Payment, str]:
    """A booking held for its deposit, the card charged and the bank's check asked for (3-D
    Secure): the payment waits; returns it and its PaymentIntent's client secret."""
    therapist, _, _ = deposit_therapist()
    patient = bookable_patient()
    client = Client()
    client.force_login(patient)
    booked = client.post(
        "/api/v1/appointments",
        data=json.dumps({"therapist": therapist.pk, "start": at(3, 10).isoformat()}),
        content_type="application/json",
    ).json()
    setup = stripe_server.save_card(booked["payment"]["client_secret"], card)
    waiting = client.post(
        f"/api/v1/payments/{booked['payment']['id']}/card",
        data=json.dumps({"setup_intent": setup["id"]}),
        content_type="application/json",
    ).json()
    assert (waiting.get("status"), waiting.get("appointment_status")) == (
        "requires_action",
        "held",
    ), waiting
    return Payment.objects.get(pk=waiting["id"]), waiting["client_secret"]


def _event(stripe_server: StripeServer, payment: Payment, kind: str, event_id: str) -> bytes:
    """An event about the payment's intent as the processor now has it."""
    intent = stripe_server.call("GET", f"/v1/payment_intents/{payment.processor_id}")
    event = {"id": event_id, "object": "event", "type": kind, "data": {"object": intent}}
    return json.dumps(event).encode()


def _post(payload: bytes, signature: str | None) -> Any:
    # A client that checks CSRF tokens as a browser's request would be checked: the processor
    # has no session and no token.
    client = Client(enforce_csrf_checks=True)
    headers = {} if signature is None else {"HTTP_STRIPE_SIGNATURE": signature}
    # What the recorded outcome sets off after its commit (settling the booking) runs too.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(URL, data=payload, content_type="application/json", **headers)


def _status(payment: Payment) -> tuple[str, str]:
    payment.refresh_from_db()
    appointment = Appointment.objects.get(pk=payment.appointment_id)
    return payment.status, appointment.status


# --- Signed by the local processor, posted to a live server ----------------------------------


@pytest.fixture
def webhooks(stripe_server: StripeServer, live_server: Any) -> Any:
    send_webhooks_to(stripe_server, live_server.url + URL)
    yield stripe_server
    stop_webhooks(stripe_server)


def _wait_for(payment: Payment, expected: tuple[str, str]) -> tuple[str, str]:
    """The payment's and its booking's status once they are `expected`, or after 45 s (the
    booking follows the payment's commit, in its own)."""
    deadline = time.monotonic() + 45
    while _status(payment) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return _status(payment)


@pytest.mark.django_db(transaction=True)
def test_the_processors_signed_event_books_the_held_slot(webhooks: StripeServer) -> None:
    payment, secret = _held_deposit(webhooks)
    # The bank's check passes in the browser, and the page is closed before it asks us: only
    # the processor's event tells us.
    webhooks.authenticate(secret)

    booked = (PaymentStatus.SUCCEEDED, AppointmentStatus.BOOKED)
    assert _wait_for(payment, booked) == booked
    appointment = Appointment.objects.get(pk=payment.appointment_id)
    assert [c.kind for c in appointment.changes.all()].count("booked") == 1
    # Events about card set-ups and customers are answered and not kept.
    assert set(ProcessorEvent.objects.values_list("type", flat=True)) <= {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
    }


@pytest.mark.django_db(transaction=True)
def test_the_processors_failure_event_frees_the_held_slot(webhooks: StripeServer) -> None:
    payment, secret = _held_deposit(webhooks, CARD_3DS_THEN_DECLINED)
    with pytest.raises(urllib.error.HTTPError, match="402"):  # what Stripe.js is told
        webhooks.authenticate(secret)  # the check passes, then the bank declines the charge

    freed = (PaymentStatus.FAILED, AppointmentStatus.EXPIRED)
    assert _wait_for(payment, freed) == freed


# --- Signed here, the way Stripe signs ---------------------------------------------------------


def test_a_success_books_the_slot_once_and_a_replay_changes_nothing(
    stripe_server: StripeServer,
) -> None:
    payment, secret = _held_deposit(stripe_server)
    stripe_server.authenticate(secret)
    body = _event(stripe_server, payment, "payment_intent.succeeded", "evt_hand_1")

    first = _post(body, sign(body))
    again = _post(body, sign(body))  # Stripe delivers again when it missed our answer

    assert first.status_code == 200, first.content
    assert first.json() == {"received": "evt_hand_1", "applied": True}
    assert again.json() == {"received": "evt_hand_1", "applied": False}
    assert _status(payment) == (PaymentStatus.SUCCEEDED, AppointmentStatus.BOOKED)
    assert ProcessorEvent.objects.count() == 1
    appointment = Appointment.objects.get(pk=payment.appointment_id)
    assert [c.kind for c in appointment.changes.order_by("pk")].count("booked") == 1


def test_a_failure_after_the_success_changes_nothing(stripe_server: StripeServer) -> None:
    payment, secret = _held_deposit(stripe_server)
    stripe_server.authenticate(secret)
    success = _event(stripe_server, payment, "payment_intent.succeeded", "evt_ok")
    failure = json.loads(_event(stripe_server, payment, "payment_intent.payment_failed", "evt_0"))
    failure["data"]["object"]["status"] = "requires_payment_method"
    late = json.dumps(failure).encode()

    assert _post(success, sign(success)).status_code == 200
    assert _post(late, sign(late)).status_code == 200

    assert _status(payment) == (PaymentStatus.SUCCEEDED, AppointmentStatus.BOOKED)
    assert not payment.refunds.exists()


def test_a_failure_frees_the_slot_and_a_late_check_does_not_revive_it(
    stripe_server: StripeServer,
) -> None:
    payment, _ = _held_deposit(stripe_server)
    failed = _event(stripe_server, payment, "payment_intent.payment_failed", "evt_failed")
    check = _event(stripe_server, payment, "payment_intent.requires_action", "evt_check")

    assert _post(failed, sign(failed)).json()["applied"] is True
    assert _post(check, sign(check)).status_code == 200

    assert _status(payment) == (PaymentStatus.FAILED, AppointmentStatus.EXPIRED)


@pytest.mark.parametrize(
    ("signature", "code"),
    [
        (None, "signature_missing"),
        ("", "signature_missing"),
        ("t=1,v1=00", "bad_signature"),
        ("garbage", "bad_signature"),
    ],
)
def test_no_valid_signature_is_a_400_and_changes_nothing(
    stripe_server: StripeServer, signature: str | None, code: str
) -> None:
    payment, secret = _held_deposit(stripe_server)
    stripe_server.authenticate(secret)
    body = _event(stripe_server, payment, "payment_intent.succeeded", "evt_forged")

    answer = _post(body, signature)

    assert answer.status_code == 400
    assert answer.json()["code"] == code
    assert "Stripe-Signature" in answer.json()["detail"]
    assert _status(payment) == (PaymentStatus.REQUIRES_ACTION, AppointmentStatus.HELD)
    assert not ProcessorEvent.objects.exists()


def test_a_signature_with_another_secret_or_too_old_is_refused(
    stripe_server: StripeServer,
) -> None:
    payment, secret = _held_deposit(stripe_server)
    stripe_server.authenticate(secret)
    body = _event(stripe_server, payment, "payment_intent.succeeded", "evt_forged")

    other = _post(body, sign(body, secret="whsec_someone_else"))
    stale = _post(body, sign(body, at=int(time.time()) - 3600))  # a recorded call, replayed
    tampered = _post(body.replace(b"succeeded", b"succeeded "), sign(body))

    assert [a.status_code for a in (other, stale, tampered)] == [400, 400, 400]
    assert {a.json()["code"] for a in (other, stale, tampered)} == {"bad_signature"}
    assert _status(payment) == (PaymentStatus.REQUIRES_ACTION, AppointmentStatus.HELD)


def test_without_a_webhook_secret_nothing_is_accepted(
    stripe_server: StripeServer, settings: Any
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}}'

    answer = _post(body, sign(body, secret=""))

    assert (answer.status_code, answer.json()["code"]) == (400, "webhooks_off")


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"id": "evt_1", "type": "payment_intent.succeeded"}',
        b'{"id": 7, "type": "payment_intent.succeeded", "data": {"object": {}}}',
        b"\xff\xfe",
        b"",
    ],
)
def test_a_signed_body_that_is_not_an_event_is_a_400(stripe_server: StripeServer, body) -> None:
    answer = _post(body, sign(body))

    assert answer.status_code == 400
    assert answer.json()["code"] == "not_an_event"
    assert not ProcessorEvent.objects.exists()


def test_a_type_we_do_not_act_on_is_answered_and_forgotten(stripe_server: StripeServer) -> None:
    body = json.dumps(
        {"id": "evt_c", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    ).encode()

    answer = _post(body, sign(body))

    assert answer.status_code == 200
    assert answer.json() == {"received": "evt_c", "applied": False}
    assert not ProcessorEvent.objects.exists()


def test_an_event_that_disagrees_with_our_payment_is_not_applied(
    stripe_server: StripeServer,
) -> None:
    payment, secret = _held_deposit(stripe_server)
    stripe_server.authenticate(secret)
    event = json.loads(_event(stripe_server, payment, "payment_intent.succeeded", "evt_x"))
    cheaper = json.loads(json.dumps(event))
    cheaper["data"]["object"]["amount"] = 1
    elsewhere = json.loads(json.dumps(event).replace("evt_x", "evt_y"))
    elsewhere["account"] = "acct_someoneelse"
    other_intent = json.loads(json.dumps(event).replace("evt_x", "evt_z"))
    other_intent["data"]["object"]["id"] = "pi_not_this_one"

    for changed in (cheaper, elsewhere, other_intent):
        body = json.dumps(changed).encode()
        answer = _post(body, sign(body))
        assert answer.json()["applied"] is False

    assert _status(payment) == (PaymentStatus.REQUIRES_ACTION, AppointmentStatus.HELD)


def test_rate_limits_do_not_hold_the_processor_back(
    stripe_server: StripeServer, settings: Any
) -> None:
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_anonymous": "2/m"}
    answers = []
    for n in range(5):
        body = json.dumps(
            {"id": f"evt_{n}", "type": "charge.updated", "data": {"object": {}}}
        ).encode()
        answers.append(_post(body, sign(body)).status_code)

    assert answers == [200] * 5
