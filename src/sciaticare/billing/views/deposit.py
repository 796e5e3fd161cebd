"""Paying a booking's deposit while its slot is held (services/deposits.py).

One page per held booking, the patient's own, in the state the payment is in: the card form
(Stripe.js's Card Element; the card's number goes from the browser to Stripe, never to us) and,
for a card kept at the clinic, a one-click "Pay with …", and "Let this time go"; the bank's check (3-D Secure,
Stripe.js's confirmCardPayment); paid, with its receipt; or failed or run out, with why and a
button that holds the same time again if it is still free. Every action POSTs back here and is
answered with a redirect to the page (so a reload repeats nothing).
"""

from __future__ import annotations

from typing import cast
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing import processor
from sciaticare.billing.models import Payment, PaymentStatus, said_by_sciaticare
from sciaticare.billing.selectors import deposit_for, on_their_way, saved_card
from sciaticare.billing.services import cards, deposits, payments
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services import booking


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_csp() -> dict[str, list[str]]:
    """This page's Content-Security-Policy: the site's, plus Stripe.js (its script, its frames
    and the processor's API it talks to). Only this page loads it."""
    js, api = _origin(settings.STRIPE_JS_URL), _origin(settings.STRIPE_API_BASE)
    frames = [js]
    if js == "https://js.stripe.com":  # the bank's check opens in Stripe's own frame
        frames.append("https://hooks.stripe.com")
    policy = {name: list(cast(list[str], values)) for name, values in settings.SECURE_CSP.items()}
    policy["script-src"] = [*policy.get("script-src", [CSP.SELF]), js]
    policy["connect-src"] = [*policy.get("connect-src", [CSP.SELF]), js, api]
    policy["frame-src"] = [CSP.SELF, *frames]
    return policy


def _state(payment: Payment, appointment: Appointment) -> str:
    if payment.status == PaymentStatus.SUCCEEDED:
        # Paid after the hold had ended: given back (deposits.settle).
        return "refunded" if appointment.status == AppointmentStatus.EXPIRED else "paid"
    if payment.status == PaymentStatus.FAILED:
        return "failed"
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return "bank_check"
    if payment.attempted_at is not None:
        # Sent to the processor and not answered yet; the hold released meanwhile (no answer).
        return "paying" if appointment.status == AppointmentStatus.HELD else "unanswered"
    if appointment.status != AppointmentStatus.HELD or (
        appointment.hold_expires_at is not None and appointment.hold_expires_at <= timezone.now()
    ):
        return "ended"
    return "pay"


def _again(request: AuthedRequest, appointment: Appointment) -> HttpResponse:
    """Hold the same time again after a failed payment, if it is still free (all of booking's
    checks apply)."""
    try:
        held = booking.book_appointment(
            patient=request.user,
            therapist_id=appointment.therapist_id,
            start=appointment.start,
            session_type_id=appointment.session_type_id,
        )
    except DomainError as refused:
        messages.error(request, refused.message + " " + gettext("Choose another time."))
        return redirect("scheduling:book", therapist_id=appointment.therapist_id)
    if held.status != AppointmentStatus.HELD:  # the clinic no longer takes a deposit
        messages.success(request, gettext("Booked. A confirmation is on its way by email."))
        return redirect("scheduling:appointment", appointment_id=held.pk)
    return redirect("billing:deposit", appointment_id=held.pk)


def _act(request: AuthedRequest, payment: Payment) -> None:
    """One POSTed step; its refusals become messages on the page."""
    action = request.POST.get("action")
    try:
        if action == "card":
            deposits.pay_with_new_card(
                payment=payment, setup_intent=request.POST.get("setup_intent", "")[:80]
            )
        elif action == "saved":
            deposits.pay_with_saved_card(payment=payment)
        elif action == "finish":
            deposits.finish(payment=payment)
        elif action == "release":
            deposits.let_go(payment=payment)
            messages.success(request, gettext("The time is free again. Nothing was charged."))
        else:
            messages.error(request, gettext("Choose how to pay."))
    except DomainError as refused:
        messages.error(request, refused.message)


@login_required
@require_http_methods(["GET", "POST"])
def deposit(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    try:
        payment = deposit_for(patient=request.user, appointment_id=appointment_id)
    except NotFound:
        raise Http404 from None
    appointment = Appointment.objects.select_related(
        "therapist__user", "location__clinic", "session_type"
    ).get(pk=appointment_id)
    if request.method == "POST":
        if request.POST.get("action") == "again":
            if _state(payment, appointment) in ("failed", "refunded", "ended", "unanswered"):
                return _again(request, appointment)
        else:
            _act(request, payment)
        return redirect("billing:deposit", appointment_id=appointment.pk)
    state = _state(payment, appointment)
    context: dict[str, object] = {
        "payment": payment,
        "appointment": appointment,
        "state": state,
        "card": saved_card(patient=request.user, clinic=payment.clinic),
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "may_try_again": appointment.start > timezone.now(),
        "refunded": payments.refunded(payment),
        "on_its_way": on_their_way(payment=payment),
        # "Let this time go" asks first (?let_go=1): the time may be gone once let go.
        "asking_to_let_go": state == "pay" and request.GET.get("let_go") == "1",
    }
    try:
        if state == "pay":
            setup = cards.start_setup(patient=request.user, clinic=payment.clinic)
            context["setup_secret"] = setup.client_secret
        elif state == "bank_check":
            context["payment_secret"] = deposits.state_of(payment).client_secret
    except processor.ProcessorError as unreachable:
        context["processor_error"] = said_by_sciaticare(str(unreachable))
    response = render(request, "billing/deposit.html", context)
    # What Django's csp_override sets, but read per request: the processor's address is a
    # setting (a local server in tests and the demo).
    response._csp_config = stripe_csp()  # type: ignore[attr-defined]  # noqa: SLF001
    return response
