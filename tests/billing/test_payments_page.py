"""The patient's Payments page as a newcomer read it (an outside test at 320 px): abandoned
deposits are not listed, a deposit is called one, a fee the card did not pay says so with what
is owed and how to pay it, and no label is left empty."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sciaticare.billing.models import Payment
from sciaticare.billing.services import cards, deposits, sessions
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.services import changes
from tests.billing.books import hold_booking, pay_deposit
from tests.billing.factories import deposit_therapist
from tests.scheduling.helpers import bookable_patient
from tests.stripe import CARD, CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db


def test_the_payments_page_says_what_happened_in_plain_words(
    client, stripe_server: StripeServer
) -> None:
    therapist, _, location = deposit_therapist()
    patient = bookable_patient()
    # Two abandoned holds: a declined deposit, and one let go.
    pay_deposit(stripe_server, hold_booking(patient, therapist, 2), CARD_DECLINED_ON_CHARGE)
    deposits.let_go(payment=Payment.objects.get(appointment=hold_booking(patient, therapist, 3)))
    # A deposit paid, then given back for a cancellation in time.
    in_time = hold_booking(patient, therapist, 4)
    pay_deposit(stripe_server, in_time, CARD)
    changes.cancel_appointment(user=patient, appointment_id=in_time.pk)
    sessions.settle_cancellation(appointment_id=in_time.pk)
    # A deposit paid, the card then declining, and a late cancellation's fee not taken.
    late = hold_booking(patient, therapist, 5)
    pay_deposit(stripe_server, late, CARD)
    setup = cards.start_setup(patient=patient, clinic=location.clinic)
    stripe_server.save_card(setup.client_secret, CARD_DECLINED_ON_CHARGE)
    cards.save(patient=patient, clinic=location.clinic, setup_intent=setup.id)
    late.refresh_from_db()
    assert late.status == AppointmentStatus.BOOKED
    changes.cancel_appointment(
        user=patient, appointment_id=late.pk, now=late.start - timedelta(hours=3)
    )
    fee = sessions.settle_cancellation(appointment_id=late.pk)
    assert fee is not None

    client.force_login(patient)
    page = client.get("/billing/payments/").content.decode()

    assert page.count("Failed") == 0  # abandoned deposits are not the patient's worry
    assert page.count("<td>Deposit, session of") == 2
    assert "Refund of your deposit: " in page
    assert "On the payment's receipt" in page  # a refund's row points at its receipt
    assert "Not taken: card declined; £10.00 to pay at the clinic" in page
    assert "You owe £10.00.</strong> Pay at the clinic at your next visit." in page
    assert "<td>£10.00 to pay</td>" in page
    assert "To pay:" not in page
    assert "<td></td>" not in page
