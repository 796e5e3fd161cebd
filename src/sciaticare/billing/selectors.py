"""Shared reads of billing: a clinic's policy, what an invoice still owes."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from sciaticare.billing.models import Invoice, PaymentPolicy, PaymentStatus
from sciaticare.billing.money import Money
from sciaticare.directory.models import Clinic


def policy_of(clinic: Clinic) -> PaymentPolicy:
    """The clinic's payment policy, or the default (no deposit, no fees, pay at the clinic)
    unsaved, so that every clinic has one to read."""
    try:
        return clinic.payment_policy
    except PaymentPolicy.DoesNotExist:
        return PaymentPolicy(clinic=clinic)


def seller(policy: PaymentPolicy) -> dict[str, str]:
    """What an invoice or a receipt says about the clinic: an invoice copies it in when it is
    issued (services.invoices); a receipt of a payment made before any invoice reads it now."""
    return {
        "name": policy.legal_name or policy.clinic.name,
        "address": policy.address,
        "country": policy.country,
        "tax_number": policy.tax_number,
        "npi": policy.npi,
        "insurer_provider_number": policy.insurer_provider_number,
    }


def credited(invoice: Invoice) -> Money:
    """The subtotal credited so far by credit notes against `invoice`."""
    total = invoice.credit_notes.aggregate(s=Sum("subtotal"))["s"] or Decimal(0)
    return Money.of(total, invoice.currency)


def paid(invoice: Invoice) -> Money:
    """What was paid against `invoice`, less what was refunded of those payments."""
    payments = invoice.payments.filter(status=PaymentStatus.SUCCEEDED)
    taken = payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    back = invoice.payments.filter(refunds__status=PaymentStatus.SUCCEEDED).aggregate(
        s=Sum("refunds__amount")
    )["s"] or Decimal(0)
    return Money.of(taken - back, invoice.currency)
