"""The card processor's boundary: Stripe, through its official library.

Everything the product asks of the processor passes here, so the rest of billing deals in
`Money` and our own rows, never in Stripe's objects. The same code talks to Stripe in
production and to a local Stripe-compatible server in tests and the demo (`STRIPE_API_BASE`).

Each clinic has its own Stripe account (Connect, direct charges): every call carries the
clinic's `acct_…` id, so money goes to the clinic, not to Sciaticare. Every call that creates
something carries an idempotency key made from our own row's id, so a retry of the same step
is the same request to Stripe. Card numbers never reach this server: the browser gives them to
Stripe.js, and we see only the ids and a card's brand and last four digits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings

from sciaticare.billing.models import CARD_DECLINED, PROCESSOR_UNREACHABLE
from sciaticare.billing.money import Money


class ProcessorError(Exception):
    """The processor refused or could not be reached. `str()` is fit to show a person once put
    in their language (`models.said_by_sciaticare`): our own words are English constants, as
    they are kept in a payment's failure; a bank's own words come as the processor gives them."""


class CardDeclined(ProcessorError):
    pass


class ProcessorUnavailable(ProcessorError):
    """The processor did not answer (the network, a time-out, its own error): whether it did
    what was asked is not known, so the request is tried again later, never given up on."""


class RequestRefused(ProcessorError):
    """The processor answered and refused (e.g. the charge is refunded already): nothing was
    done, for good. `str()` carries the processor's reason."""


#: Errors that are an answer: the processor saw the request and did not do it. Anything else
#: (no connection, a time-out, its own error, too many requests, a concurrent idempotent
#: request) leaves it unknown whether it was done.
_ANSWERS = (
    stripe.CardError,
    stripe.InvalidRequestError,
    stripe.AuthenticationError,
    stripe.PermissionError,
)


@dataclass(frozen=True)
class Intent:
    """A payment or card set-up at the processor, as far as we need it."""

    id: str
    status: str  # succeeded, requires_action, requires_payment_method, processing, canceled
    client_secret: str
    payment_method: str
    customer: str = ""


@dataclass(frozen=True)
class Card:
    brand: str
    last4: str
    exp_month: int | None
    exp_year: int | None


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    object: dict[str, Any]
    #: The connected account (the clinic's `acct_…`) it happened on, when the processor says.
    account: str = ""


def client() -> stripe.StripeClient:
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


def _options(account: str, key: str | None = None) -> stripe.RequestOptions:
    options: stripe.RequestOptions = {}
    if account:
        options["stripe_account"] = account
    if key:
        options["idempotency_key"] = key
    return options


def _id(value: Any) -> str:
    """An expandable field: an id, an object with one, or nothing."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value.id)


def _intent(obj: Any) -> Intent:
    return Intent(
        id=obj.id,
        status=obj.status,
        client_secret=obj.client_secret or "",
        payment_method=_id(obj.payment_method),
        customer=_id(getattr(obj, "customer", None)),
    )


def _refused(error: stripe.StripeError) -> ProcessorError:
    if isinstance(error, stripe.CardError):
        return CardDeclined(error.user_message or CARD_DECLINED)
    unanswered = not isinstance(error, _ANSWERS)
    return (ProcessorUnavailable if unanswered else ProcessorError)(PROCESSOR_UNREACHABLE)


def create_customer(*, account: str, email: str, name: str, key: str) -> str:
    try:
        customer = client().v1.customers.create(
            params={"email": email, "name": name}, options=_options(account, key)
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return str(customer.id)


def start_card_setup(*, account: str, customer: str, key: str) -> Intent:
    """A SetupIntent: the browser confirms it with the card (and 3-D Secure when asked), and the
    card is kept on the customer for later charges made without the patient present."""
    try:
        params: Any = {
            "customer": customer,
            "payment_method_types": ["card"],
            "usage": "off_session",
        }
        intent = client().v1.setup_intents.create(
            params=params,
            options=_options(account, key),
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return _intent(intent)


def card_setup(*, account: str, setup_intent: str) -> Intent:
    try:
        return _intent(client().v1.setup_intents.retrieve(setup_intent, options=_options(account)))
    except stripe.StripeError as error:
        raise _refused(error) from error


def card(*, account: str, payment_method: str) -> Card:
    try:
        method = client().v1.payment_methods.retrieve(payment_method, options=_options(account))
    except stripe.StripeError as error:
        raise _refused(error) from error
    details = method.card
    if details is None:
        raise ProcessorError("That payment method is not a card.")
    return Card(
        brand=str(details.brand),
        last4=str(details.last4),
        exp_month=int(details.exp_month) if details.exp_month else None,
        exp_year=int(details.exp_year) if details.exp_year else None,
    )


def charge(
    *,
    account: str,
    customer: str,
    payment_method: str,
    amount: Money,
    key: str,
    payment_id: int,
    present: bool,
) -> Intent:
    """Charge a saved card. `present`: the patient is on the page and can answer 3-D Secure
    (status `requires_action`, the browser finishes it); otherwise the charge is off-session and
    a card that asks for the holder's check is a decline to tell the patient about.
    `payment_id` goes into the metadata, so the processor's events name our row."""
    params: Any = {
        "amount": amount.to_minor(),
        "currency": amount.currency.lower(),
        "customer": customer,
        "payment_method": payment_method,
        "confirm": True,
        "metadata": {"payment": str(payment_id)},
    }
    if not present:
        params["off_session"] = True
    try:
        intent = client().v1.payment_intents.create(params=params, options=_options(account, key))
    except stripe.StripeError as error:
        raise _refused(error) from error
    return _intent(intent)


def payment(*, account: str, intent: str) -> Intent:
    try:
        return _intent(client().v1.payment_intents.retrieve(intent, options=_options(account)))
    except stripe.StripeError as error:
        raise _refused(error) from error


@dataclass(frozen=True)
class Refunded:
    """A refund at the processor: its id and status (pending, requires_action, succeeded,
    failed, canceled)."""

    id: str
    status: str

    @property
    def refused(self) -> bool:
        return self.status in ("failed", "canceled")


def _refund_refused(error: stripe.StripeError) -> ProcessorError:
    if not isinstance(error, _ANSWERS):
        return ProcessorUnavailable("The card processor did not answer.")
    return RequestRefused(error.user_message or "The card processor refused the refund.")


def refund(*, account: str, intent: str, amount: Money, key: str, refund_id: int) -> Refunded:
    """Give back `amount` of a payment. `refund_id` (our row) goes into the metadata, so that
    `refund_of` finds it again; `key` is the row's idempotency key, so the same row asked twice
    is one refund. Raises ProcessorUnavailable when there is no answer (it may have been done)
    and RequestRefused when the processor says no."""
    try:
        made = client().v1.refunds.create(
            params={
                "payment_intent": intent,
                "amount": amount.to_minor(),
                "metadata": {"refund": str(refund_id)},
            },
            options=_options(account, key),
        )
    except stripe.StripeError as error:
        raise _refund_refused(error) from error
    return Refunded(str(made.id), str(made.status or "succeeded"))


def refund_of(*, account: str, intent: str, refund_id: int) -> Refunded | None:
    """The refund of `intent` that our refund row `refund_id` asked for, if the processor made
    one (found by the metadata `refund` puts in, every page read): how a retry learns of a
    refund whose answer was lost, whatever the age of the idempotency key (Stripe keeps keys
    for 24 hours)."""
    params: Any = {"payment_intent": intent, "limit": 100}
    try:
        listed = client().v1.refunds.list(params=params, options=_options(account))
        for made in listed.auto_paging_iter():
            metadata = made.metadata.to_dict() if made.metadata else {}
            if metadata.get("refund") == str(refund_id):
                return Refunded(str(made.id), str(made.status or "succeeded"))
    except stripe.StripeError as error:
        raise _refund_refused(error) from error
    return None


def recent_events(*, account: str, since: datetime) -> list[Event]:
    """The processor's events of `account` created at or after `since`: what the reconciliation
    job reads. Every page is read (the library follows `starting_after`). The order is the
    processor's own and is not relied on: Stripe lists newest first, the local server oldest
    first (services/events.reconcile does not depend on it)."""
    params: Any = {"limit": 100, "created": {"gte": int(since.timestamp())}}
    try:
        listed = client().v1.events.list(params=params, options=_options(account))
        return [
            Event(e.id, e.type, e.data.object.to_dict(), str(getattr(e, "account", None) or ""))
            for e in listed.auto_paging_iter()
        ]
    except stripe.StripeError as error:
        raise _refused(error) from error


class BadEvent(ValueError):
    """A webhook call that is not a signed event of ours: `code` for programs, `str()` says
    what was wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def verified_event(*, payload: bytes, signature: str) -> Event:
    """A webhook's event, if its `Stripe-Signature` header signs `payload` with this site's
    webhook secret (settings.STRIPE_WEBHOOK_SECRET) within Stripe's five-minute tolerance;
    raises BadEvent otherwise (no secret set, no header, a wrong or stale signature, a body
    that is not an event)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise BadEvent(
            "webhooks_off", "This site takes no webhooks: STRIPE_WEBHOOK_SECRET is not set."
        )
    if not signature:
        raise BadEvent("signature_missing", "The Stripe-Signature header is missing.")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise BadEvent("not_an_event", "The body is not UTF-8 text.") from None
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance=300)
    except stripe.SignatureVerificationError:
        raise BadEvent(
            "bad_signature",
            "The Stripe-Signature header does not sign this body with the webhook secret "
            "(or it is more than five minutes old).",
        ) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise BadEvent("not_an_event", "The body is not JSON.") from None
    obj = data.get("data", {}).get("object") if isinstance(data, dict) else None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("id"), str)
        and isinstance(data.get("type"), str)
        and isinstance(obj, dict)
    ):
        raise BadEvent("not_an_event", "The body is not a Stripe event (id, type and data.object).")
    account = data.get("account")
    return Event(data["id"], data["type"], obj, account if isinstance(account, str) else "")
