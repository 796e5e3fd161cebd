"""Booking with a deposit in a real browser, against the local processor and its Stripe.js: the
Card Element takes the card (4242… books at once; a 3-D Secure card asks in the processor's own
window, then books), and a card declined when charged leaves the slot free again."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sciaticare.billing.models import Payment, PaymentStatus
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.billing.factories import deposit_therapist
from tests.e2e.conftest import sign_in
from tests.scheduling.helpers import bookable_patient
from tests.stripe import CARD, CARD_3DS, CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def therapist(stripe_server: StripeServer) -> Any:
    return deposit_therapist(legal_name="Riverside Massage Ltd")[0]


def _to_the_deposit(page: Page, live_server: Any, therapist: Any) -> str:
    """Tap the first free time, read the policy, confirm; the time of day chosen."""
    patient = bookable_patient()
    sign_in(page, live_server, patient)
    page.goto(f"{live_server.url}/book/{therapist.pk}/")
    slot = page.locator("button.slot").first
    chosen = slot.inner_text().splitlines()[0]
    slot.click()
    expect(page.get_by_text("A deposit of £10.00 (20 %) is taken now by card.")).to_be_visible()
    page.get_by_role("button", name="Confirm and pay the £10.00 deposit").click()
    expect(page.get_by_role("heading", name="Pay the deposit to book")).to_be_visible()
    return chosen


def _enter_card(page: Page, number: str) -> None:
    """The local Stripe.js's Card Element: plain inputs named by their placeholders."""
    element = page.locator("#card-element")
    element.get_by_placeholder("number").fill(number)
    element.get_by_placeholder("exp_month").fill("12")
    element.get_by_placeholder("exp_year").fill("34")
    element.get_by_placeholder("cvc").fill("123")
    element.get_by_placeholder("postal_code").fill("M20 2RN")
    page.get_by_role("button", name="Pay £10.00").click()


def test_a_deposit_paid_by_card_books_the_session(live_server, page: Page, therapist) -> None:
    _to_the_deposit(page, live_server, therapist)

    _enter_card(page, CARD)

    expect(page.get_by_role("heading", name="Booked: your deposit is paid")).to_be_visible()
    expect(page.get_by_text("Visa ending 4242")).to_be_visible()
    appointment = Appointment.objects.get()
    assert appointment.status == AppointmentStatus.BOOKED
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED


def test_a_card_the_bank_checks_books_after_the_check(live_server, page: Page, therapist) -> None:
    _to_the_deposit(page, live_server, therapist)

    _enter_card(page, CARD_3DS)
    # The processor's check of the card being saved, then of the payment itself.
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_role("button", name="Confirm with my bank")).to_be_visible()
    page.get_by_role("button", name="Confirm with my bank").click()
    page.get_by_role("button", name="Complete authentication").click()

    expect(page.get_by_role("heading", name="Booked: your deposit is paid")).to_be_visible()
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


def test_a_card_declined_when_charged_leaves_the_slot_free(
    live_server, page: Page, therapist
) -> None:
    chosen = _to_the_deposit(page, live_server, therapist)

    _enter_card(page, CARD_DECLINED_ON_CHARGE)

    expect(page.get_by_role("heading", name="Not booked")).to_be_visible()
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    assert Appointment.objects.get().status == AppointmentStatus.EXPIRED
    assert not Appointment.objects.filter(status__in=["held", "booked"]).exists()
    # The time is offered again to anyone.
    page.get_by_role("link", name="Choose another time").click()
    expect(page.locator("button.slot").first).to_contain_text(chosen)


def test_a_card_the_bank_does_not_confirm_is_said_in_plain_words(
    live_server, page: Page, therapist
) -> None:
    _to_the_deposit(page, live_server, therapist)

    _enter_card(page, CARD_3DS)
    page.get_by_role("button", name="Fail authentication").click()

    status = page.locator("#card-status")
    expect(status).to_have_text(
        "Your bank did not confirm this card. Nothing was taken, and the time is still held "
        "for you: try again or use another card."
    )
    assert "authentication" not in status.inner_text()  # not the processor's own message
    # As the page says: the time stays held for another card.
    assert Appointment.objects.get().status == AppointmentStatus.HELD
