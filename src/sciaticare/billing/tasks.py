"""Billing's background work, through Django's Tasks API: what a session's end costs, queued by
scheduling's hooks after the change commits (so a cancellation or a no-show never waits on the
card processor), the patient's mail about a missed session's fee, the receipt mailed when a
payment goes through (so a slow mail server never slows the payment that triggered it), and
the reconciliation job that records charges whose answer was lost, and the mail telling the
patient a fee could not be charged to their card.

Each task may run again and charges nothing more (fees and invoices once per session, deposits
given back only as far as any is left), and the no-show's mail goes out with the fee only. A receipt
names the clinic, the amount, what it was for and how it was paid, with a link to the Payments
page where its PDF is: no card details, nothing clinical.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from sciaticare.billing.document_selectors import document_zone
from sciaticare.billing.invoice_selectors import receipt_of
from sciaticare.billing.models import NO_CARD, Invoice, Payment, PaymentStatus, Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import paid
from sciaticare.billing.services import events, fees, payments, sessions
from sciaticare.billing.terms import day_said, said
from sciaticare.core.display import money
from sciaticare.core.names import one_line
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.notifications import when_text
from sciaticare.scheduling.selectors.calendars import local
from sciaticare.scheduling.services import attendance, changes


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
    # In the patient's language (a task has no request to ask); its times by the session's (or
    # the clinic's) clock, as the pages and the PDF tell them.
    zone = document_zone(clinic=payment.clinic, appointment=payment.appointment)
    with translation.override(payment.patient.language), timezone.override(zone):
        amount = money(payment.amount, payment.currency)
        body = render_to_string(
            "billing/email/receipt.txt",
            {
                "r": receipt,
                "amount": amount,
                "payments_url": settings.SITE_URL + reverse("billing:payments"),
            },
        )
        subject = one_line(
            gettext("Receipt: %(amount)s paid to %(clinic)s")
            % {"amount": amount, "clinic": receipt.seller["name"]}
        )
    EmailMessage(subject=subject, body=body, to=[payment.patient.email]).send()
    return 1


def send_receipt_later(payment_id: int) -> None:
    """`payments.on_succeeded`'s hook (BillingConfig.ready): runs after the commit that
    recorded the payment, once per payment (success is recorded once)."""
    send_receipt.enqueue(payment_id)


@task
def settle_cancellation(appointment_id: int) -> int | None:
    """The deposit back, or the late-cancellation fee; returns the fee's invoice id."""
    invoice = sessions.settle_cancellation(appointment_id=appointment_id)
    return invoice.pk if invoice is not None else None


@task
def charge_no_show(appointment_id: int) -> int | None:
    """The missed-session fee, and a mail telling the patient (once: a retry finds the fee
    and sends nothing); returns the invoice id."""
    charged = sessions.charge_no_show(appointment_id=appointment_id)
    if charged is None:
        return None
    invoice = charged.invoice
    appointment = invoice.appointment
    assert appointment is not None  # a fee's invoice names its session
    patient = appointment.patient
    # Not to a deleted account (its address is in the reserved .invalid domain).
    if charged.new and patient.email and not patient.email.lower().endswith(".invalid"):
        with translation.override(patient.language):
            _tell_no_show_fee(invoice, appointment)
    return invoice.pk


def _tell_no_show_fee(invoice: Invoice, appointment: Appointment) -> None:
    """The missed session's fee, mailed in the language active (the patient's)."""
    patient = appointment.patient
    total = Money.of(invoice.total, invoice.currency)
    settled = paid(invoice)
    context = {
        "patient_first_name": patient.first_name,
        "therapist": appointment.therapist.user.display_name,
        "clinic": invoice.clinic.name,
        "when": when_text(appointment.start, appointment.end, appointment.location),
        "fee": said(total),
        "number": invoice.number,
        "paid": said(settled) if settled.amount else "",
        "owed": said(total - settled) if settled < total else "",
        "appointment_url": settings.SITE_URL
        + reverse("scheduling:appointment", args=[appointment.pk]),
        "site_url": settings.SITE_URL,
    }
    send_mail(
        one_line(
            gettext("Missed session with %(therapist)s: a fee of %(fee)s")
            % {"therapist": context["therapist"], "fee": context["fee"]}
        ),
        render_to_string("billing/email/no_show_fee.txt", context),
        None,
        [patient.email],
    )


@task
def tell_fee_not_taken(payment_id: int) -> int:
    """Mail the patient that a fee's charge to their card failed (declined, or no card at the
    clinic): which fee, how much is still owed, that they can pay at the clinic, and a link to
    their Payments page; no card details, nothing clinical. Once per payment whatever the
    retries (claimed by `told_at`); 1 when sent."""
    failed = (
        Payment.objects.filter(
            pk=payment_id,
            status=PaymentStatus.FAILED,
            purpose__in=list(fees.FEE_WORDS),
            invoice__isnull=False,
            told_at__isnull=True,
        )
        .select_related("patient", "clinic", "invoice__appointment__location")
        .first()
    )
    if (
        failed is None
        or failed.patient.email.lower().endswith(".invalid")
        or not (failed.patient.email)
    ):
        return 0
    if not payments.claim_telling(payment_id):
        return 0  # told already (a retry running beside the first)
    invoice = failed.invoice
    assert invoice is not None  # filtered above
    try:
        with translation.override(failed.patient.language):
            _tell_fee_not_taken(failed, invoice)
    except Exception:
        payments.release_telling(payment_id)  # not sent: the task's retry sends it
        raise
    return 1


def _tell_fee_not_taken(failed: Payment, invoice: Invoice) -> None:
    """The mail of `tell_fee_not_taken`, in the language active (the patient's)."""
    appointment = invoice.appointment
    total = Money.of(invoice.total, invoice.currency)
    settled = paid(invoice)
    late = failed.purpose == Purpose.LATE_CANCEL_FEE
    context = {
        "patient_first_name": failed.patient.first_name,
        "clinic": failed.clinic.name,
        "late": late,
        "when": day_said(local(appointment.start, appointment.location).date())
        if appointment
        else "",
        "number": invoice.number,
        "why": gettext("there is no card saved at the clinic.")
        if failed.failure == NO_CARD
        else gettext("your card was declined."),
        "fee": said(total),
        "paid": said(settled) if settled.amount else "",
        "owed": said(total - settled),
        "payments_url": settings.SITE_URL + reverse("billing:payments"),
        "site_url": settings.SITE_URL,
    }
    subject = (
        gettext("%(clinic)s: your late cancellation fee was not taken")
        if late
        else gettext("%(clinic)s: your missed session fee was not taken")
    )
    send_mail(
        one_line(subject % {"clinic": context["clinic"]}),
        render_to_string("billing/email/fee_not_taken.txt", context),
        None,
        [failed.patient.email],
    )


def tell_fee_not_taken_later(payment_id: int) -> None:
    """`payments.on_failed`'s hook: after the commit that recorded the failure."""
    tell_fee_not_taken.enqueue(payment_id)


@task
def invoice_session(appointment_id: int) -> int | None:
    """A completed session's invoice, with its deposit counted; returns its id."""
    invoice = sessions.invoice_session(appointment_id=appointment_id)
    return invoice.pk if invoice is not None else None


@task
def reconcile_payments() -> int:
    """The reconciliation job (services/events.reconcile): charges started and never answered,
    recorded from the processor's events, then the card refunds the processor did not answer
    tried again (`payments.retry_pending_refunds`); returns how many of both it settled.
    `manage.py reconcile_payments` runs it (or queues it, `--enqueue`) every few minutes."""
    return events.reconcile() + payments.retry_pending_refunds()


# --- Hooks: called after scheduling's transaction commits -----------------------------------


def settle_cancellation_later(appointment_id: int) -> None:
    settle_cancellation.enqueue(appointment_id)


def charge_no_show_later(appointment_id: int) -> None:
    charge_no_show.enqueue(appointment_id)


def invoice_session_later(appointment_id: int) -> None:
    invoice_session.enqueue(appointment_id)


def connect() -> None:
    """Register the tasks with scheduling's hooks (from BillingConfig.ready; idempotent)."""
    for hooks, hook in (
        (changes.on_cancelled, settle_cancellation_later),
        (attendance.on_no_show, charge_no_show_later),
        (attendance.on_completed, invoice_session_later),
    ):
        if hook not in hooks:
            hooks.append(hook)
    if send_receipt_later not in payments.on_succeeded:
        payments.on_succeeded.append(send_receipt_later)
    if tell_fee_not_taken_later not in payments.on_failed:
        payments.on_failed.append(tell_fee_not_taken_later)
