"""Billing API: paying a booking's deposit, and the card processor's webhook.

After `POST /api/v1/appointments` holds a slot with `payment.status` "requires_action": confirm
the card with Stripe.js (`confirmCardSetup` with the card set-up's client secret), then POST the
set-up's id to `…/card`; if the bank asks for its check, `confirmCardPayment` with the client
secret that answer gives, then POST `…/finish`. Only the patient's own payments.

The webhook (`POST /api/v1/payments/webhook`) is called by Stripe, not by a person: no account,
no session, no CSRF token, no rate limit (checking the signature is one HMAC, cheaper than
counting the call); the `Stripe-Signature` header over the raw body is the only credential."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing import processor
from sciaticare.billing.models import Payment
from sciaticare.billing.selectors import payment_for
from sciaticare.billing.services import deposits, events
from sciaticare.core.bounds import ApiId
from sciaticare.core.schemas import Body, Problem
from sciaticare.scheduling.models import Appointment

router = Router(tags=["billing"])


class DepositOut(Body):
    id: int
    status: Literal["requires_action", "paid", "refunded"] = Field(
        description="paid: the booking is booked; requires_action: the bank's check "
        "(confirmCardPayment with client_secret, then POST …/finish); refunded: the hold ran "
        "out before the payment went through, and the deposit came back."
    )
    amount: str = Field(description="Decimal major units, e.g. 11.00.")
    currency: str
    client_secret: str | None
    appointment: int
    appointment_status: str = Field(description="held until paid; booked once paid.")

    @staticmethod
    def of(payment: Payment) -> "DepositOut":
        state = deposits.state_of(payment)
        appointment = Appointment.objects.only("status").get(payments=payment)
        return DepositOut(
            id=payment.pk,
            status=state.status,  # type: ignore[arg-type]
            amount=state.amount,
            currency=state.currency,
            client_secret=state.client_secret,
            appointment=appointment.pk,
            appointment_status=appointment.status,
        )


class CardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    setup_intent: str = Field(
        pattern=r"^seti_[A-Za-z0-9_]+$",
        max_length=80,
        description="The card set-up Stripe.js confirmed (its id, not the client secret).",
    )


@router.post(
    "/payments/{payment_id}/card",
    response={200: DepositOut, 402: Problem, 404: Problem, 409: Problem},
    summary="Pay a deposit with the card just set up",
)
def pay_with_card(request: AuthedRequest, payment_id: ApiId, payload: CardIn) -> DepositOut:
    """Keep the card and charge the deposit. 402 `card_declined`: nothing was taken and the
    slot is free again; 409 `hold_ended` (the hold ran out), `already_paying`, or
    `card_not_saved` (the bank did not confirm the card: the slot stays held, try another)."""
    payment = payment_for(patient=request.user, payment_id=payment_id)
    return DepositOut.of(
        deposits.pay_with_new_card(payment=payment, setup_intent=payload.setup_intent)
    )


@router.post(
    "/payments/{payment_id}/finish",
    response={200: DepositOut, 402: Problem, 404: Problem},
    summary="Finish a deposit after the bank's check",
)
def finish(request: AuthedRequest, payment_id: ApiId) -> DepositOut:
    """Read the payment's outcome once the browser has answered the bank's check
    (confirmCardPayment). 402 when the bank refused: the slot is free again."""
    payment = payment_for(patient=request.user, payment_id=payment_id)
    return DepositOut.of(deposits.finish(payment=payment))


class WebhookOut(Body):
    received: str = Field(description="The event's id.")
    applied: bool = Field(
        description="True when the event is about one of our payments and was taken into "
        "account (it changes nothing when that payment's outcome is already final); false for "
        "a replay, a type we do not act on, or a payment that is not ours."
    )


@router.post(
    "/payments/webhook",
    auth=None,
    throttle=[],
    response={200: WebhookOut, 400: Problem},
    summary="The card processor's events (Stripe webhooks)",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Stripe-Signature",
                "required": True,
                "schema": {"type": "string"},
                "description": "Stripe's signature of the raw body with the webhook secret.",
            }
        ],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "A Stripe event, exactly as Stripe sent it (the signature covers "
            "these bytes).",
        },
    },
)
def webhook(request: HttpRequest) -> Status[WebhookOut] | Status[Problem]:
    """For Stripe: a signed event about a payment (`payment_intent.succeeded`,
    `payment_intent.payment_failed`, `payment_intent.requires_action`,
    `payment_intent.canceled`). Applied once per event id; a replay or an event older than what
    we know changes nothing, and a deposit's booking follows its payment (booked, or the slot
    freed). Any other type is answered 200 and ignored. 400 when the signature is missing or
    wrong, or the body is not an event: nothing is read from it."""
    try:
        event = processor.verified_event(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except processor.BadEvent as bad:
        return Status(400, Problem(detail=str(bad), code=bad.code))
    applied = events.handle(event)
    return Status(200, WebhookOut(received=event.id, applied=applied))
