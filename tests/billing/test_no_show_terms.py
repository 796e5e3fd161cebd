"""What marking a session missed charges, in words, before the therapist confirms: the agreed
fee (`fees.fee_for`) with the policy's tax, the session's deposit counted (as
`sessions.charge_no_show` does), said through scheduling's payment seam."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sciaticare.billing.desk import BillingDesk
from sciaticare.billing.models import Payment, PaymentMethod, PaymentStatus, Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.terms import no_show_words
from sciaticare.scheduling.payments import NoPayments, NoShowTerms
from tests.billing.factories import appointment_with_policy
from tests.factories import AppointmentFactory
from tests.scheduling.helpers import at


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


CHARGE = "Under the clinic's policy this charges the client a £30.00 missed-session fee"


@pytest.mark.parametrize(
    ("fee", "paid", "words"),
    [
        ("30.00", "11.00", f"{CHARGE} (their £11.00 deposit is counted: £19.00 is left to pay)."),
        ("30.00", "0", f"{CHARGE}."),
        ("30.00", "30.00", f"{CHARGE} (their £30.00 deposit covers it)."),
        (
            "30.00",
            "55.00",
            f"{CHARGE} (it is taken from their £55.00 deposit and £25.00 goes back to them).",
        ),
        (
            "0",
            "11.00",
            "The clinic's policy has no missed-session fee: the client's £11.00 deposit goes "
            "back to them in full.",
        ),
        ("0", "0", None),
    ],
    ids=["deposit-counted", "no-deposit", "deposit-covers", "deposit-beyond", "no-fee", "nothing"],
)
def test_no_show_words(fee, paid, words) -> None:
    assert no_show_words(fee=gbp(fee), paid=gbp(paid)) == words


def test_without_billing_the_seam_says_nothing() -> None:
    assert NoPayments().no_show_terms(object(), at(0, 10)) is None


@pytest.mark.django_db
def test_the_desk_says_the_agreed_fee_with_its_tax_and_the_deposit_kept() -> None:
    appointment = appointment_with_policy(
        currency="GBP", no_show_fee=Decimal("25.00"), tax_percent=Decimal(20)
    )
    Payment.objects.create(
        clinic=appointment.location.clinic,
        patient=appointment.patient,
        purpose=Purpose.SESSION,
        appointment=appointment,
        amount=Decimal("11.00"),
        currency="GBP",
        status=PaymentStatus.SUCCEEDED,
        method=PaymentMethod.CARD_ONLINE,
    )

    terms = BillingDesk().no_show_terms(appointment, appointment.start)

    assert terms == NoShowTerms(
        words="Under the clinic's policy this charges the client a £30.00 missed-session fee "
        "(their £11.00 deposit is counted: £19.00 is left to pay).",
        fee=True,
    )


@pytest.mark.django_db
def test_a_clinic_without_a_policy_has_nothing_to_say() -> None:
    assert BillingDesk().no_show_terms(AppointmentFactory(), at(0, 10)) is None
