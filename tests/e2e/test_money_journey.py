"""Issue 15's browser journey, against the local processor (localstripe), its Stripe.js and a
local SMTP server: a patient on a 390 px phone books with a deposit (the Card Element), gets the
receipt by mail and as a PDF on the Payments page, cancels another session late and is shown
the fee before confirming; the therapist marks a third session a no-show (a double click, then
the task run again: one charge at the processor); the clinic admin refunds that fee with a
reason, and the patient's Payments page shows the refund.

Times are derived from the clock, so it passes at any hour on any day: the booking takes the
first free time offered (always ahead); the session cancelled late starts half an hour after
it ends (the first time offered is never more than 18 hours ahead, so this is inside the
24-hour window); the missed session started two hours ago. Those two are written directly,
each with its deposit paid through billing's own services, as the booking page cannot book
the past nor choose the hour."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sciaticare.billing import tasks
from sciaticare.billing.models import Invoice, Payment, PaymentStatus, Purpose, Refund
from sciaticare.billing.money import Money
from sciaticare.billing.services import payments
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.billing.factories import deposit_therapist
from tests.e2e.conftest import sign_in
from tests.factories import ClinicAdminFactory
from tests.mail import Inbox
from tests.scheduling.helpers import bookable_patient, place_appointment
from tests.stripe import CARD, StripeServer

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def _page(browser: Browser, live_server: Any, user: Any, **context: Any) -> Page:
    page = browser.new_context(**context).new_page()
    sign_in(page, live_server, user)
    return page


def _with_deposit_paid(appointment: Appointment) -> Payment:
    """The session's £10.00 deposit, charged to the card the patient keeps at the clinic."""
    deposit = payments.new(
        clinic=appointment.location.clinic,
        patient=appointment.patient,
        purpose=Purpose.SESSION,
        amount=Money.of("10.00", "GBP"),
        appointment=appointment,
    )
    paid = payments.take(payment=deposit, present=True)
    assert paid.status == PaymentStatus.SUCCEEDED
    return paid


def _intents_for(stripe: StripeServer, payment: Payment) -> list[dict[str, Any]]:
    listed = stripe.call("GET", "/v1/payment_intents?limit=100")["data"]
    return [i for i in listed if i["metadata"].get("payment") == str(payment.pk)]


def test_deposit_receipt_late_cancel_no_show_once_and_its_refund(
    live_server: Any, browser: Browser, settings: Any, stripe_server: StripeServer, smtp: Inbox
) -> None:
    settings.STAFF_MFA_REQUIRED = False  # the admin's session is made here, not by sign-in
    therapist, session, location = deposit_therapist(legal_name="Riverside Massage Ltd")
    admin = ClinicAdminFactory()
    location.clinic.admins.add(admin)
    patient = bookable_patient(email="rosa@example.com")

    # The patient books the first free time, reading the policy first, and pays by card.
    phone = _page(browser, live_server, patient, viewport=PHONE, accept_downloads=True)
    phone.goto(f"{live_server.url}/book/{therapist.pk}/")
    phone.locator("button.slot").first.click()
    expect(phone.get_by_text("A deposit of £10.00 (20 %) is taken now by card.")).to_be_visible()
    phone.get_by_role("button", name="Confirm and pay the £10.00 deposit").click()
    card = phone.locator("#card-element")
    card.get_by_placeholder("number").fill(CARD)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("M20 2RN")
    phone.get_by_role("button", name="Pay £10.00").click()
    expect(phone.get_by_role("heading", name="Booked: your deposit is paid")).to_be_visible()
    booked = Appointment.objects.get(patient=patient)
    assert booked.status == AppointmentStatus.BOOKED
    assert booked.start > timezone.now()

    # The receipt: by mail, and as a PDF from the Payments page.
    receipts = [s for s in smtp.subjects(patient.email) if s.startswith("Receipt:")]
    assert receipts == ["Receipt: £10.00 paid to Riverside Massage Ltd"], smtp.subjects(
        patient.email
    )
    phone.goto(f"{live_server.url}/billing/payments/")
    clinic = phone.get_by_role("region", name=location.clinic.name)
    expect(clinic).to_contain_text("£10.00")
    with phone.expect_download() as downloading:
        clinic.get_by_role("link", name="Receipt of").first.click()
    with open(downloading.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Two more sessions, each with its deposit paid: one soon (inside the 24-hour window),
    # one that started two hours ago.
    soon = place_appointment(
        patient=patient,
        therapist=therapist,
        session=session,
        location=location,
        start=booked.end + timedelta(minutes=30),
    )
    assert soon.start - timezone.now() < timedelta(hours=24)
    _with_deposit_paid(soon)
    started = (timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    missed = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=started
    )
    _with_deposit_paid(missed)

    # Cancelling the soon one late: the fee is said before anything happens.
    phone.goto(f"{live_server.url}/appointments/{soon.pk}/")
    phone.get_by_role("link", name="Cancel…").click()
    expect(phone.get_by_text("late cancellation")).to_be_visible()
    expect(
        phone.get_by_text(
            "Cancelling now costs the £20.00 late-cancellation fee: your £10.00 deposit is "
            "kept and £10.00 more is charged to your card."
        )
    ).to_be_visible()
    assert not Invoice.objects.filter(purpose=Purpose.LATE_CANCEL_FEE).exists()
    phone.get_by_role("button", name="Cancel the session").click()
    expect(phone.get_by_text("recorded as a late cancellation")).to_be_visible()
    expect(phone.get_by_text("A late-cancellation fee of £20.00 was charged")).to_be_visible()
    fee = Invoice.objects.get(purpose=Purpose.LATE_CANCEL_FEE, appointment=soon)
    assert fee.total == Decimal("20.00")
    charged = Payment.objects.get(invoice=fee, purpose=Purpose.LATE_CANCEL_FEE)
    assert (charged.amount, charged.status) == (Decimal("10.00"), PaymentStatus.SUCCEEDED)

    # The therapist marks the missed session: a double click, then the task run again.
    desk = _page(browser, live_server, therapist.user)
    desk.goto(f"{live_server.url}/appointments/{missed.pk}/")
    desk.get_by_role("link", name="No-show…").click()
    expect(
        desk.get_by_text(
            "Under the clinic's policy this charges the client a £30.00 missed-session fee "
            "(their £10.00 deposit is counted: £20.00 is left to pay)."
        )
    ).to_be_visible()
    desk.get_by_role("button", name="Mark as not attended").dblclick()
    expect(desk.get_by_text("Marked as not attended. The patient is told.").first).to_be_visible()
    expect(desk.locator("dl.facts")).to_contain_text("No-show")
    tasks.charge_no_show.enqueue(missed.pk)
    no_show = Invoice.objects.get(purpose=Purpose.NO_SHOW_FEE, appointment=missed)
    fee_payment = Payment.objects.get(purpose=Purpose.NO_SHOW_FEE, invoice=no_show)
    assert fee_payment.amount == Decimal("20.00")  # £30.00, the £10.00 deposit counted
    assert len(_intents_for(stripe_server, fee_payment)) == 1
    assert Payment.objects.filter(purpose=Purpose.NO_SHOW_FEE).count() == 1
    subject = f"Missed session with {therapist.user.display_name}: a fee of £30.00"
    assert subject in smtp.subjects(patient.email)

    # The clinic admin refunds the fee's card payment, with a reason, after confirming.
    office = _page(browser, live_server, admin)
    office.goto(f"{live_server.url}/billing/invoices/{no_show.pk}/")
    office.get_by_role("link", name="Refund the £20.00 payment").click()
    office.get_by_label("Amount (GBP)").fill("20.00")
    office.get_by_label("Reason").fill("Hospital appointment that morning")
    office.get_by_role("button", name="Continue").click()
    assert not Refund.objects.filter(payment=fee_payment).exists()
    office.get_by_role("button", name="Refund").click()
    expect(office.get_by_text(f"£20.00 given back to {patient.display_name}.")).to_be_visible()
    refund = Refund.objects.get(payment=fee_payment)
    assert (refund.reason, refund.created_by) == ("Hospital appointment that morning", admin)

    # The patient's Payments page shows it.
    phone.goto(f"{live_server.url}/billing/payments/")
    clinic = phone.get_by_role("region", name=location.clinic.name)
    expect(clinic).to_contain_text("Hospital appointment that morning")
    expect(clinic).to_contain_text("Given back")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
