"""Demo money for `seed_demo`: the demo clinic's payment policy and months of history, written
through billing's own services with the clock of each step (dates relative to today).

- **Didsbury Back Care** (the clinic clinic@example.com runs; the demo therapist's; UK, pounds):
  a 20 % deposit by card at booking, a 24-hour window, a £20 late-cancellation fee and a £30
  missed-session fee; itemised receipts for UK private insurers. The demo patient's weekly
  course: each deposit charged to her card on file (the test card 4242 4242 4242 4242, set up as
  Stripe.js does), each session invoiced with its deposit counted and the rest paid at the desk
  by card terminal (one in cash), the latest still to pay; a deposit refunded (cancelled in
  time), a late-cancellation fee the clinic admin waived with a reason (credit note, money
  back), a missed-session fee charged once. The demo therapist's other sessions of the last four
  weeks are invoiced and paid at the desk, so the takings have days, methods and a balance owed.
- **Back Bay Massage Therapy** (Boston, US, dollars; its therapist runs it): paid at the clinic,
  its invoices bill CPT 97124 by units and carry its NPI, so the demo patient's two paid
  sessions there each give a **superbill**.

Card money goes through the card processor: with Stripe keys (`make run` starts a local
Stripe-compatible server, localstripe) the deposits, fees and refunds are real there. Without
keys every payment is recorded at the desk (no deposits, fees paid in cash), and `seed` says so.

Seeded once: when the demo clinic has saved its policy, nothing is added. The history is the
past, so it mails no receipts (the PDFs are on the Payments pages).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.billing import processor
from sciaticare.billing.models import Invoice, Payment, PaymentMethod, Purpose
from sciaticare.billing.money import DepositKind, Money, deposit_due
from sciaticare.billing.selectors import paid, saved_policy
from sciaticare.billing.services import cards, fees, invoices, payments, sessions
from sciaticare.billing.services.policy import PolicyValues, save_policy
from sciaticare.billing.terms import day_said
from sciaticare.directory.models import Clinic
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.selectors.appointments import cancelled_by_patient
from sciaticare.scheduling.selectors.calendars import local

US_CLINIC = "Back Bay Massage Therapy"
#: Stripe's test card that always succeeds (3-D Secure: 4000 0027 6000 3184).
TEST_CARD = "4242424242424242"
WAIVED = "Cancelled late during a flare-up; waived as a goodwill gesture."
OTHERS_DAYS = 28

UK_POLICY = PolicyValues(
    currency="GBP",
    deposit=DepositKind.PERCENT,
    deposit_percent=Decimal(20),
    cancellation_window_hours=24,
    late_cancel_fee=Decimal(20),
    no_show_fee=Decimal(30),
    pay_at_booking=True,
    tax_percent=Decimal(0),
    legal_name="Didsbury Back Care Ltd",
    address="Wilmslow Road, Didsbury, Manchester M20",
    country="GB",
    insurer_provider_number="PRV-30048217",
)
US_POLICY = PolicyValues(
    currency="USD",
    deposit=DepositKind.NONE,
    deposit_percent=Decimal(0),
    cancellation_window_hours=24,
    late_cancel_fee=Decimal(0),
    no_show_fee=Decimal(50),
    pay_at_booking=False,
    tax_percent=Decimal(0),
    legal_name="Back Bay Massage Therapy LLC",
    address="145 Newbury Street, Boston, MA 02116",
    country="US",
    npi="1234567893",
    tax_number="04-3829157",
)


@contextmanager
def _quiet() -> Iterator[None]:
    """No receipt mail and no deposit settling for the seeded past (payments' hooks)."""
    saved = payments.on_succeeded[:], payments.on_failed[:]
    payments.on_succeeded.clear()
    payments.on_failed.clear()
    try:
        yield
    finally:
        payments.on_succeeded[:], payments.on_failed[:] = saved


def _confirm_card_in_browser(client_secret: str) -> None:
    """What Stripe.js does in the patient's browser: confirm the card set-up with the card's
    number, sent with the publishable key to the processor (never to our server)."""
    setup_intent = client_secret.split("_secret_")[0]
    body = {
        "key": settings.STRIPE_PUBLISHABLE_KEY,
        "client_secret": client_secret,
        "payment_method_data": {
            "type": "card",
            "card": {
                "number": TEST_CARD,
                "exp_month": 12,
                "exp_year": timezone.localdate().year + 3,
                "cvc": "123",
            },
        },
    }
    request = urllib.request.Request(  # noqa: S310 - the site's own processor address
        f"{settings.STRIPE_API_BASE}/v1/setup_intents/{setup_intent}/confirm",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
        answer.read()


@dataclass
class _History:
    """The steps of the money history, run in the order they happened (so invoice numbers
    follow the dates)."""

    admin: User
    patient: User
    by_card: bool
    steps: list[tuple[datetime, int, Callable[[datetime], None]]] = field(default_factory=list)

    def at(self, when: datetime, step: Callable[[datetime], None]) -> None:
        self.steps.append((when, len(self.steps), step))  # same time: in the order given

    def run(self) -> None:
        for when, _, step in sorted(self.steps, key=lambda s: s[:2]):
            step(when)


def _deposit(h: _History, appointment: Appointment) -> Callable[[datetime], None]:
    def take(now: datetime) -> None:
        price = Money.of(appointment.session_type.price, appointment.session_type.currency)
        due = deposit_due(price, DepositKind(UK_POLICY.deposit), UK_POLICY.deposit_percent)
        payment = payments.new(
            clinic=appointment.location.clinic,
            patient=appointment.patient,
            purpose=Purpose.SESSION,
            amount=due,
            appointment=appointment,
        )
        payments.take(payment=payment, present=True, now=now)

    return take


def _session(
    h: _History, appointment: Appointment, method: PaymentMethod | None
) -> Callable[[datetime], None]:
    """The completed session's invoice, and (unless `method` is None) its rest paid at the desk."""

    def invoice(now: datetime) -> None:
        issued = sessions.invoice_session(appointment_id=appointment.pk, now=now)
        if issued is None or method is None:
            return
        owed = Money.of(issued.total, issued.currency) - paid(issued)
        if owed.amount > 0:
            payments.record_taken(
                invoice=issued,
                amount=owed,
                method=method,
                by=h.admin,
                now=now + timedelta(minutes=5),
            )

    return invoice


def _fee(h: _History, appointment: Appointment, purpose: Purpose) -> Callable[[datetime], None]:
    """A fee: charged to the card on file (deposit counted), or without cards invoiced and
    paid in cash at the next visit."""

    def charge(now: datetime) -> None:
        if h.by_card:
            if purpose == Purpose.NO_SHOW_FEE:
                sessions.charge_no_show(appointment_id=appointment.pk, now=now)
            else:
                sessions.settle_cancellation(appointment_id=appointment.pk, now=now)
            return
        amount = fees.fee_for(appointment, purpose)
        when = day_said(local(appointment.start, appointment.location).date())
        issued = invoices.issue(
            clinic=appointment.location.clinic,
            patient=appointment.patient,
            purpose=purpose,
            appointment=appointment,
            lines=[invoices.Line(fees.FEE_WORDS[purpose] % {"day": when}, amount)],
            now=now,
        )
        payments.record_taken(
            invoice=issued,
            amount=amount,
            method=PaymentMethod.CASH,
            by=h.admin,
            now=now + timedelta(days=2),
        )

    return charge


def _refund_in_time(appointment: Appointment) -> Callable[[datetime], None]:
    def refund(now: datetime) -> None:
        for deposit in Payment.objects.filter(
            appointment=appointment, purpose=Purpose.SESSION, invoice__isnull=True
        ):
            left = payments.left_to_refund(deposit)
            payments.refund(
                payment=deposit, amount=left, reason=sessions.REFUNDED_IN_TIME, by=None, now=now
            )

    return refund


def _waive(h: _History, appointment: Appointment) -> Callable[[datetime], None]:
    def waive(now: datetime) -> None:
        fee = Invoice.objects.get(appointment=appointment, purpose=Purpose.LATE_CANCEL_FEE)
        fees.waive(invoice=fee, reason=WAIVED, by=h.admin, now=now)

    return waive


def _cancelled_at(appointment: Appointment) -> datetime:
    change = appointment.changes.filter(kind__in=("cancelled", "late_cancelled")).latest("at")
    return change.at


def _patient_history(h: _History, clinic: Clinic, now: datetime) -> None:
    mine = list(
        Appointment.objects.filter(patient=h.patient, location__clinic=clinic, start__lt=now)
        .select_related("session_type", "location__clinic", "patient")
        .order_by("start")
    )
    completed = [a for a in mine if a.status == AppointmentStatus.COMPLETED]
    for appointment in mine:
        if h.by_card:
            h.at(appointment.created_at, _deposit(h, appointment))
        if appointment.status == AppointmentStatus.COMPLETED:
            # The latest is still to pay; one was paid in cash, the rest by card terminal.
            method: PaymentMethod | None = PaymentMethod.CARD_TERMINAL
            if appointment is completed[-1]:
                method = None
            elif appointment is completed[len(completed) // 2]:
                method = PaymentMethod.CASH
            h.at(appointment.end, _session(h, appointment, method))
        elif appointment.status == AppointmentStatus.NO_SHOW:
            h.at(
                appointment.start + timedelta(minutes=20), _fee(h, appointment, Purpose.NO_SHOW_FEE)
            )
        elif appointment.status == AppointmentStatus.CANCELLED and cancelled_by_patient(
            appointment
        ):
            at = _cancelled_at(appointment)
            if appointment.late_cancellation:
                h.at(at, _fee(h, appointment, Purpose.LATE_CANCEL_FEE))
                h.at(at + timedelta(days=2), _waive(h, appointment))
            elif h.by_card:
                h.at(at, _refund_in_time(appointment))


def _others_history(h: _History, clinic: Clinic, therapist: User, now: datetime) -> None:
    """The demo therapist's other sessions of the last weeks, invoiced and paid at the desk
    (every fourth in cash, every ninth still to pay)."""
    others = (
        Appointment.objects.filter(
            location__clinic=clinic,
            therapist__user=therapist,
            status=AppointmentStatus.COMPLETED,
            end__gte=now - timedelta(days=OTHERS_DAYS),
            end__lt=now,
        )
        .exclude(patient=h.patient)
        .select_related("session_type", "location__clinic", "patient")
        .order_by("start")
    )
    for n, appointment in enumerate(others):
        method: PaymentMethod | None = (
            None
            if n % 9 == 8
            else PaymentMethod.CASH
            if n % 4 == 3
            else PaymentMethod.CARD_TERMINAL
        )
        h.at(appointment.end, _session(h, appointment, method))


def _set_up_card(h: _History, clinic: Clinic) -> bool:
    """The demo patient's card on file at the clinic; False when the processor cannot be
    reached (then every payment is recorded at the desk)."""
    try:
        setup = cards.start_setup(patient=h.patient, clinic=clinic)
        _confirm_card_in_browser(setup.client_secret)
        cards.save(patient=h.patient, clinic=clinic, setup_intent=setup.id)
    except (processor.ProcessorError, OSError):
        return False
    return True


def seed(accounts: dict[str, User]) -> str:
    """The demo clinics' policies and money history, once; returns what was done, in words."""
    admin, patient = accounts["clinic@example.com"], accounts["patient@example.com"]
    clinic = Clinic.objects.filter(admins=admin).order_by("pk").first()
    if clinic is None:
        return ""
    if saved_policy(clinic) is not None:
        return "Demo money kept as it was."
    now = timezone.now()
    with _quiet():
        save_policy(clinic=clinic, values=UK_POLICY, by=admin)
        clinic.refresh_from_db()
        h = _History(admin=admin, patient=patient, by_card=bool(settings.STRIPE_SECRET_KEY))
        if h.by_card:
            h.by_card = _set_up_card(h, clinic)
        _patient_history(h, clinic, now)
        _others_history(h, clinic, accounts["therapist@example.com"], now)
        us = Clinic.objects.filter(name=US_CLINIC).first()
        grace = us.admins.order_by("pk").first() if us is not None else None
        if us is not None and grace is not None:
            save_policy(clinic=us, values=US_POLICY, by=grace)
            us.refresh_from_db()
            boston = _History(admin=grace, patient=patient, by_card=False)
            for appointment in Appointment.objects.filter(
                patient=patient, location__clinic=us, status=AppointmentStatus.COMPLETED
            ).select_related("session_type", "location__clinic", "patient"):
                h.at(appointment.end, _session(boston, appointment, PaymentMethod.CARD_TERMINAL))
        h.run()
    made = Invoice.objects.filter(clinic__in=[c for c in (clinic, us) if c is not None]).count()
    if h.by_card:
        return (
            f"Demo money: {made} invoices; deposits, fees and refunds went through the card "
            "processor (test card 4242 4242 4242 4242)."
        )
    return (
        f"Demo money: {made} invoices, all paid at the desk: card payments were off when the "
        "demo was seeded (no local card processor), so it has no deposits or card fees."
    )
