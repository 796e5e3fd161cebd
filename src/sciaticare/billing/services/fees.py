"""The policy's fees: a late cancellation's and a missed session's, invoiced once per session
(a database constraint) and charged once to the card on file, with any deposit of the session
counted first; and waiving or refunding a fee, with a reason."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.billing.models import (
    BEYOND_THE_FEE,
    AgreedFees,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentStatus,
    Purpose,
)
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import policy_of, saved_policy
from sciaticare.billing.services import deposits, invoices, payments
from sciaticare.billing.terms import day_said
from sciaticare.core.errors import Conflict
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.selectors.calendars import local

#: The fees, and how an invoice line names each (in the patient's language: `_fee_line`).
FEE_WORDS = {
    Purpose.LATE_CANCEL_FEE: gettext_noop("Late cancellation fee: session of %(day)s"),
    Purpose.NO_SHOW_FEE: gettext_noop("Missed session fee: session of %(day)s"),
}


def agree(appointment: Appointment) -> AgreedFees | None:
    """Keep the fees a new booking is made under (inside its transaction), once the clinic has
    saved a policy: what the confirm step showed is what the patient agreed to."""
    policy = saved_policy(appointment.location.clinic)
    if policy is None:
        return None
    return AgreedFees.objects.create(
        appointment=appointment,
        currency=policy.currency,
        late_cancel_fee=policy.late_cancel_fee,
        no_show_fee=policy.no_show_fee,
    )


def fee_for(appointment: Appointment, purpose: Purpose) -> Money:
    """The fee (before tax) for a late cancellation or a missed session: the policy's today, or
    the one agreed at booking if that was lower. Terms never harden after a booking."""
    policy = policy_of(appointment.location.clinic)
    amount = policy.no_show_fee if purpose == Purpose.NO_SHOW_FEE else policy.late_cancel_fee
    agreed = AgreedFees.objects.filter(appointment=appointment).first()
    if agreed is not None and agreed.currency == policy.currency:
        told = agreed.no_show_fee if purpose == Purpose.NO_SHOW_FEE else agreed.late_cancel_fee
        amount = min(amount, told)
    return Money.of(amount, policy.currency)


def charge_fee(
    *, appointment: Appointment, purpose: Purpose, by: User | None, now: datetime | None = None
) -> Invoice | None:
    """Invoice the policy's fee for a late cancellation or a missed session, count the
    session's deposit against it (refunding what the deposit paid beyond the fee) and charge
    the rest to the card on file. Once per session: a second call returns the first invoice
    and charges nothing. None when the policy has no such fee."""
    now = now or timezone.now()
    fee = fee_for(appointment, purpose)
    if fee.amount == 0:
        return None
    clinic = appointment.location.clinic
    to_take = None
    try:
        with transaction.atomic():
            invoice = invoices.issue(
                clinic=clinic,
                patient=appointment.patient,
                purpose=purpose,
                appointment=appointment,
                lines=[_fee_line(appointment, purpose, fee)],
                by=by,
                now=now,
            )
            counted = deposits.count_against(appointment=appointment, invoice=invoice)
            if counted.owed.amount > 0:
                to_take = payments.new(
                    clinic=clinic,
                    patient=appointment.patient,
                    purpose=purpose,
                    amount=counted.owed,
                    appointment=appointment,
                    invoice=invoice,
                )
    except IntegrityError:
        # Already invoiced (the once-per-session constraint): a retry or a double click. A run
        # stopped between issuing and charging (a crash, a killed worker) left its charge
        # pending and never tried: the retry takes it (`take` claims it, so only once).
        invoice = Invoice.objects.get(
            appointment=appointment, purpose=purpose, kind=InvoiceKind.INVOICE
        )
        left = Payment.objects.filter(
            invoice=invoice,
            purpose=purpose,
            status=PaymentStatus.PENDING,
            attempted_at__isnull=True,
        ).first()
        if left is not None:
            payments.take(payment=left, present=False, now=now)
        return invoice
    deposits.give_back_excess(counted, BEYOND_THE_FEE[purpose])
    if to_take is not None:
        payments.take(payment=to_take, present=False, now=now)
    return invoice


def _fee_line(appointment: Appointment, purpose: Purpose, fee: Money) -> invoices.Line:
    """Written once, for the invoice's buyer: in the patient's language."""
    with translation.override(appointment.patient.language):
        when = day_said(local(appointment.start, appointment.location).date())
        return invoices.Line(gettext(FEE_WORDS[purpose]) % {"day": when}, fee)


def waive(*, invoice: Invoice, reason: str, by: User, now: datetime | None = None) -> Invoice:
    """A clinic admin lets a fee go: a credit note for it, and whatever was paid of it back.
    The credit note stands even if the processor does not answer a refund: that refund stays
    pending and the reconciliation job retries it (`selectors.on_their_way` says so)."""
    if invoice.purpose not in FEE_WORDS:
        raise Conflict("not_a_fee", gettext("Only a fee can be waived."))
    note = invoices.credit(invoice=invoice, reason=reason, by=by, now=now)
    for payment in invoice.payments.filter(status=PaymentStatus.SUCCEEDED):
        left = payments.left_to_refund(payment)
        if left.amount > 0:
            payments.start_refund(payment=payment, amount=left, reason=reason, by=by, now=now)
    return note
