"""What the end of a session costs, once per appointment (docs/billing.md, "Cancelling and
no-shows"): a cancellation gives the deposit back or keeps the late-cancellation fee, a no-show
charges the missed-session fee, and a completed session is invoiced with its deposit counted.

Each runs from a task that scheduling's hooks queue after the change commits (billing/tasks.py),
and each is safe to run again: an invoice is issued once per session and purpose (a database
constraint, fees.charge_fee), and a deposit is given back only as far as any of it is left.
Only clinics that have saved a payment policy charge or invoice anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from sciaticare.billing.models import (
    BEYOND_THE_SESSION,
    REFUNDED_BY_CLINIC,
    REFUNDED_IN_TIME,
    REFUNDED_NO_FEE,
    Invoice,
    InvoiceKind,
    Purpose,
)
from sciaticare.billing.money import CPT_MASSAGE, Money, cpt_units
from sciaticare.billing.selectors import paid_deposits, saved_policy
from sciaticare.billing.services import deposits, fees, invoices
from sciaticare.billing.terms import day_said
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.appointments import cancelled_by_patient
from sciaticare.scheduling.selectors.calendars import local


def _load(appointment_id: int, status: str) -> Appointment | None:
    """The appointment in `status`, at a clinic that has saved a payment policy."""
    appointment = (
        Appointment.objects.select_related("location__clinic", "patient", "session_type")
        .filter(pk=appointment_id, status=status)
        .first()
    )
    if appointment is None or saved_policy(appointment.location.clinic) is None:
        return None
    return appointment


def _refund_deposits(appointment: Appointment, reason: str) -> None:
    for deposit in paid_deposits(appointment).filter(invoice__isnull=True):
        deposits.refund_rest(deposit, reason)


def settle_cancellation(*, appointment_id: int, now: datetime | None = None) -> Invoice | None:
    """After a cancellation: the patient's late one keeps the policy's late-cancellation fee
    out of the deposit (charging the card for any more); any other (in time, or by the
    therapist) gives the deposit back in full. Returns the fee's invoice, if any."""
    appointment = _load(appointment_id, AppointmentStatus.CANCELLED)
    if appointment is None:
        return None
    by_patient = cancelled_by_patient(appointment)
    if appointment.late_cancellation and by_patient:
        invoice = fees.charge_fee(
            appointment=appointment, purpose=Purpose.LATE_CANCEL_FEE, by=None, now=now
        )
        if invoice is not None:
            return invoice
        _refund_deposits(appointment, REFUNDED_NO_FEE)
        return None
    _refund_deposits(appointment, REFUNDED_IN_TIME if by_patient else REFUNDED_BY_CLINIC)
    return None


@dataclass(frozen=True)
class NoShowFee:
    invoice: Invoice
    #: Issued by this call; a retry finds the first one. Only a new fee is told to the patient.
    new: bool


def charge_no_show(*, appointment_id: int, now: datetime | None = None) -> NoShowFee | None:
    """After a no-show: the policy's missed-session fee, once, with the deposit counted (the
    rest charged to the card on file); without a fee the deposit comes back."""
    appointment = _load(appointment_id, AppointmentStatus.NO_SHOW)
    if appointment is None:
        return None
    # One worker runs a task at a time, so "was it there before" tells a retry from the first.
    before = Invoice.objects.filter(
        appointment=appointment, purpose=Purpose.NO_SHOW_FEE, kind=InvoiceKind.INVOICE
    ).exists()
    invoice = fees.charge_fee(
        appointment=appointment, purpose=Purpose.NO_SHOW_FEE, by=None, now=now
    )
    if invoice is None:
        _refund_deposits(appointment, REFUNDED_NO_FEE)
        return None
    return NoShowFee(invoice, new=not before)


def session_lines(
    *, name: str, price: Money, minutes: int, day: str, us: bool
) -> list[invoices.Line]:
    """A session's invoice lines, in the language being answered in (the patient's: an issued
    invoice's lines are written once, for its buyer). A US clinic bills therapeutic massage by
    CPT 97124 in 15-minute units (money.cpt_units): the price is spread over the units, and a
    remainder of a cent or so goes on one unit of its own so that every line stays exact."""
    description = gettext("%(name)s, %(minutes)s minutes, %(day)s") % {
        "name": name,
        "minutes": minutes,
        "day": day,
    }
    units = cpt_units(minutes) if us else 0
    if units == 0:
        return [invoices.Line(description, price)]
    each, rest = divmod(price.to_minor(), units)
    unit = Money.from_minor(each, price.currency)
    if rest == 0:
        return [invoices.Line(description, unit, quantity=units, code=CPT_MASSAGE)]
    last = Money.from_minor(each + rest, price.currency)
    return [
        invoices.Line(description, unit, quantity=units - 1, code=CPT_MASSAGE),
        invoices.Line(description, last, code=CPT_MASSAGE),
    ]


def invoice_session(*, appointment_id: int, now: datetime | None = None) -> Invoice | None:
    """A completed session's invoice: its session type's price, the policy's tax, and for a US
    clinic CPT 97124 by units; the deposit counted against it, so the balance is what is left
    to pay. Once per session; a free session gets none."""
    appointment = _load(appointment_id, AppointmentStatus.COMPLETED)
    if appointment is None:
        return None
    session_type = appointment.session_type
    price = Money.of(session_type.price, session_type.currency)
    if price.amount == 0:
        return None
    policy = saved_policy(appointment.location.clinic)
    assert policy is not None  # _load
    minutes = int((appointment.end - appointment.start).total_seconds() // 60)
    with translation.override(appointment.patient.language):
        lines = session_lines(
            name=session_type.name,
            price=price,
            minutes=minutes,
            day=day_said(local(appointment.start, appointment.location).date()),
            us=policy.country == "US",
        )
    try:
        with transaction.atomic():
            invoice = invoices.issue(
                clinic=appointment.location.clinic,
                patient=appointment.patient,
                purpose=Purpose.SESSION,
                appointment=appointment,
                lines=lines,
                now=now,
            )
            counted = deposits.count_against(appointment=appointment, invoice=invoice)
    except IntegrityError:
        # Invoiced already (once per session and purpose): a retry.
        return Invoice.objects.get(
            appointment=appointment, purpose=Purpose.SESSION, kind=InvoiceKind.INVOICE
        )
    deposits.give_back_excess(counted, BEYOND_THE_SESSION)
    return invoice
