"""A clinic's books for the page, PDF and API tests, written through billing's own services:
a US or UK clinic with its policy and admin, a patient's session two days ago with its intake,
the session's invoice, a card payment (the local processor) or one taken at the clinic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sciaticare.billing.models import Invoice, Payment, PaymentMethod, Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.services import cards, deposits, invoices, payments
from sciaticare.intake.models import Intake
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.services import booking
from tests.billing.factories import policy_for
from tests.factories import AppointmentFactory, ClinicAdminFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at
from tests.stripe import CARD, StripeServer

US = {
    "country": "US",
    "currency": "USD",
    "legal_name": "Riverside Massage LLC",
    "address": "12 Main Street\nAustin, TX 78701",
    "tax_number": "12-3456789",
    "npi": "1234567893",
    "tax_percent": Decimal(0),
}
UK = {
    "country": "GB",
    "currency": "GBP",
    "legal_name": "Riverside Massage Ltd",
    "address": "1 River Street\nLondon SE1 9AA",
    "tax_number": "GB123456789",
    "insurer_provider_number": "BUPA-77421",
    "tax_percent": Decimal(20),
}


@dataclass
class Books:
    appointment: Appointment
    admin: Any
    invoice: Invoice

    @property
    def patient(self) -> Any:
        return self.appointment.patient

    @property
    def clinic(self) -> Any:
        return self.appointment.location.clinic

    @property
    def currency(self) -> str:
        return self.invoice.currency

    def money(self, amount: str) -> Money:
        return Money.of(amount, self.currency)


def past_session(*, days_ago: int = 2, regions: list[str] | None = None, **kwargs: Any) -> Any:
    """A completed session `days_ago` days ago, the patient's intake saved the day before."""
    start = (timezone.now() - timedelta(days=days_ago)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    appointment = AppointmentFactory(start=start, status=AppointmentStatus.COMPLETED, **kwargs)
    intake = make_intake(appointment.patient, regions=regions or ["left_calf", "left_buttock"])
    Intake.objects.filter(pk=intake.pk).update(created_at=start - timedelta(days=1))
    return appointment


def books(
    policy: dict[str, Any] = US,
    *,
    price: str = "90.00",
    now: datetime | None = None,
    **session: Any,
) -> Books:
    """A clinic (`US` or `UK` policy) with an admin, and one patient's invoiced session."""
    appointment = past_session(**session)
    policy_for(appointment, **policy)
    admin = ClinicAdminFactory()
    appointment.location.clinic.admins.add(admin)
    invoice = invoices.issue(
        clinic=appointment.location.clinic,
        patient=appointment.patient,
        purpose=Purpose.SESSION,
        appointment=appointment,
        lines=[
            invoices.Line("Sciatica relief massage, 60 min", Money.of(price, policy["currency"]))
        ],
        by=admin,
        now=now or appointment.end,
    )
    return Books(appointment, admin, invoice)


def pay_by_card(stripe: StripeServer, b: Books, amount: str, number: str = CARD) -> Payment:
    """The patient saves a card (what Stripe.js does) and pays `amount` of the invoice."""
    clinic, patient = b.clinic, b.patient
    if not patient.cards_on_file.filter(clinic=clinic).exclude(payment_method_id="").exists():
        setup = cards.start_setup(patient=patient, clinic=clinic)
        stripe.save_card(setup.client_secret, number)
        cards.save(patient=patient, clinic=clinic, setup_intent=setup.id)
    payment = payments.new(
        clinic=clinic,
        patient=patient,
        purpose=Purpose.SESSION,
        amount=b.money(amount),
        appointment=b.appointment,
        invoice=b.invoice,
    )
    return payments.take(payment=payment, present=True)


def pay_cash(b: Books, amount: str, *, invoice: Invoice | None = None) -> Payment:
    return payments.record_taken(
        invoice=invoice or b.invoice,
        amount=b.money(amount),
        method=PaymentMethod.CASH,
        by=b.admin,
    )


def hold_booking(patient: Any, therapist: Any, days: int) -> Appointment:
    """A booking `days` from now at 10:00 (held for its deposit where the clinic takes one)."""
    return booking.book_appointment(patient=patient, therapist_id=therapist.pk, start=at(days, 10))


def pay_deposit(stripe: StripeServer, held: Appointment, number: str) -> Payment:
    """Pay a held booking's deposit with a new card (what the deposit page's Stripe.js does)."""
    deposit = Payment.objects.get(appointment=held)
    setup = cards.start_setup(patient=deposit.patient, clinic=deposit.clinic)
    stripe.save_card(setup.client_secret, number)
    return deposits.pay_with_new_card(payment=deposit, setup_intent=setup.id)
