"""Billing's background work (Django's Tasks API): the receipt mailed when a payment goes
through, so a slow mail server never slows the payment that triggered it.

The receipt names the clinic, the amount, what it was for and how it was paid, with a link to
the Payments page where its PDF is: no card details, nothing clinical.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from sciaticare.billing.invoice_selectors import receipt_of
from sciaticare.billing.models import Payment, PaymentStatus
from sciaticare.core.display import money
from sciaticare.core.names import one_line


@task
def send_receipt(payment_id: int) -> int:
    """Mail the patient the receipt of a payment that went through; 1 when sent, 0 when there
    is nobody to send it to (an erased account's address is in the reserved .invalid domain)."""
    payment = (
        Payment.objects.filter(pk=payment_id, status=PaymentStatus.SUCCEEDED)
        .select_related("patient", "clinic", "invoice", "appointment")
        .first()
    )
    if payment is None or payment.patient.email.lower().endswith(".invalid"):
        return 0
    receipt = receipt_of(payment)
    amount = money(payment.amount, payment.currency)
    body = render_to_string(
        "billing/email/receipt.txt",
        {
            "r": receipt,
            "amount": amount,
            "payments_url": settings.SITE_URL + reverse("billing:payments"),
        },
    )
    subject = one_line(f"Receipt: {amount} paid to {receipt.seller['name']}")
    EmailMessage(subject=subject, body=body, to=[payment.patient.email]).send()
    return 1


def send_receipt_later(payment_id: int) -> None:
    """`payments.on_succeeded`'s hook (BillingConfig.ready): runs after the commit that
    recorded the payment, once per payment (success is recorded once)."""
    send_receipt.enqueue(payment_id)
