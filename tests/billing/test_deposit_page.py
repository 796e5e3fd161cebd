"""The booking pages with a deposit: the policy in words before confirming, the deposit page
in each state (card form, bank's check, paid with its receipt, failed with a way to try again),
Stripe.js allowed on that page only, and the cancel step's words."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sciaticare.billing.models import Payment
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.billing.factories import deposit_therapist
from tests.scheduling.helpers import at, bookable_patient
from tests.stripe import CARD, CARD_3DS, CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist(stripe_server: StripeServer) -> Any:
    return deposit_therapist()[0]


@pytest.fixture
def patient(client: Any) -> Any:
    person = bookable_patient()
    client.force_login(person)
    return person


def _confirm(client: Any, therapist: Any, **extra: str) -> Any:
    return client.post(f"/book/{therapist.pk}/", {"start": at(3, 10).isoformat(), **extra})


def _held(client: Any, therapist: Any) -> Appointment:
    answer = _confirm(client, therapist, confirm="yes")
    held = Appointment.objects.get(status=AppointmentStatus.HELD)
    assert answer.status_code == 302
    assert answer["Location"] == f"/billing/deposit/{held.pk}/"
    return held


def _pay(client: Any, stripe_server: StripeServer, held: Appointment, number: str) -> Any:
    page = client.get(f"/billing/deposit/{held.pk}/").content.decode()
    secret = page.split('data-setup-secret="')[1].split('"')[0]
    setup = stripe_server.save_card(secret, number)
    return client.post(
        f"/billing/deposit/{held.pk}/", {"action": "card", "setup_intent": setup["id"]}
    )


def test_the_confirm_step_says_the_policy_in_plain_words(client, patient, therapist) -> None:
    page = _confirm(client, therapist).content.decode()
    assert (
        "A deposit of £10.00 (20 %) is taken now by card. Cancel more than 24 hours before "
        "for a full refund; later, the £20.00 late-cancellation fee is charged: your £10.00 "
        "deposit is kept and £10.00 more is charged to your card. A missed session costs "
        "£30.00." in page
    )
    assert "Confirm and pay the £10.00 deposit" in page
    assert not Appointment.objects.exists()


def test_paying_by_card_books_and_shows_the_receipt(
    client, patient, therapist, stripe_server
) -> None:
    held = _held(client, therapist)
    page = client.get(f"/billing/deposit/{held.pk}/")
    assert "Pay £10.00" in page.content.decode()

    answer = _pay(client, stripe_server, held, CARD)

    assert answer.status_code == 302
    done = client.get(answer["Location"]).content.decode()
    assert "Booked: your deposit is paid" in done
    assert "Visa ending 4242" in done
    deposit = Payment.objects.get(appointment=held)
    assert f">R{deposit.pk:06d}</a>" in done  # the receipt's own number, not "Payment 69"
    assert f"Payment {deposit.pk}" not in done
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED


def test_the_bank_check_then_booked(client, patient, therapist, stripe_server) -> None:
    held = _held(client, therapist)
    _pay(client, stripe_server, held, CARD_3DS)
    page = client.get(f"/billing/deposit/{held.pk}/").content.decode()
    assert "Confirm with my bank" in page
    secret = page.split('data-payment-secret="')[1].split('"')[0]

    stripe_server.authenticate(secret)
    client.post(f"/billing/deposit/{held.pk}/", {"action": "finish"})

    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED


def test_a_declined_card_frees_the_time_and_offers_to_try_again(
    client, patient, therapist, stripe_server
) -> None:
    held = _held(client, therapist)
    _pay(client, stripe_server, held, CARD_DECLINED_ON_CHARGE)

    page = client.get(f"/billing/deposit/{held.pk}/").content.decode()
    assert "Your card was declined." in page
    assert "Nothing was charged, and the time was freed." in page
    held.refresh_from_db()
    assert held.status == AppointmentStatus.EXPIRED

    again = client.post(f"/billing/deposit/{held.pk}/", {"action": "again"})

    fresh = Appointment.objects.get(status=AppointmentStatus.HELD)
    assert again["Location"] == f"/billing/deposit/{fresh.pk}/"
    assert fresh.start == held.start
    # The card that was just declined is not kept: another is asked for.
    page = client.get(again["Location"]).content.decode()
    assert "with this card" not in page
    assert "Pay by card" in page


def test_only_this_page_lets_stripe_js_in(client, patient, therapist, stripe_server) -> None:
    held = _held(client, therapist)
    stripe = f"http://{urlsplit(stripe_server.url).netloc}"

    policy = client.get(f"/billing/deposit/{held.pk}/")["Content-Security-Policy"]
    elsewhere = client.get("/appointments/")["Content-Security-Policy"]

    assert "script-src 'self' 'nonce-" in policy
    assert stripe in policy.split("script-src")[1]
    assert f"frame-src 'self' {stripe}" in policy
    assert stripe not in elsewhere


def test_another_patients_deposit_is_not_found(client, patient, therapist) -> None:
    held = _held(client, therapist)
    client.force_login(bookable_patient())
    assert client.get(f"/billing/deposit/{held.pk}/").status_code == 404
    client.force_login(therapist.user)
    assert client.post(f"/billing/deposit/{held.pk}/", {"action": "saved"}).status_code == 404
    assert Payment.objects.get().attempted_at is None


def test_the_cancel_step_says_what_cancelling_costs(
    client, patient, therapist, stripe_server
) -> None:
    held = _held(client, therapist)
    _pay(client, stripe_server, held, CARD)

    page = client.get(f"/appointments/{held.pk}/cancel/").content.decode()

    assert "Your £10.00 deposit comes back in full." in page

    # And once cancelled, the message says the same of the money.
    done = client.post(f"/appointments/{held.pk}/cancel/", {"reason": ""}, follow=True)
    assert "Cancelled. Your £10.00 deposit comes back in full." in done.content.decode()


def test_the_cancel_step_inside_the_window_names_the_fee(
    client, patient, therapist, stripe_server, monkeypatch
) -> None:
    held = _held(client, therapist)
    _pay(client, stripe_server, held, CARD)
    # Three hours before the session: inside the clinic's 24-hour window.
    monkeypatch.setattr(timezone, "now", lambda: held.start - timedelta(hours=3))
    client.force_login(patient)  # a sign-in of that day

    page = client.get(f"/appointments/{held.pk}/cancel/").content.decode()

    assert (
        "Cancelling now costs the £20.00 late-cancellation fee: your £10.00 deposit is kept "
        "and £10.00 more is charged to your card." in page
    )

    # Once cancelled, the message tells the fee as charged, with the same figures.
    done = client.post(f"/appointments/{held.pk}/cancel/", {"reason": ""}, follow=True)
    told = done.content.decode()
    assert (
        "A late-cancellation fee of £20.00 was charged: your £10.00 deposit was kept for it "
        "and the other £10.00 is being charged to your card." in told
    )
    assert "Cancelling now" not in told


# As a server runs (no test transaction around it): the release's commit hooks run at once.
@pytest.mark.django_db(transaction=True)
def test_letting_the_time_go_says_so_not_that_it_ran_out(
    client, patient, therapist, stripe_server
) -> None:
    held = _held(client, therapist)

    answer = client.post(f"/billing/deposit/{held.pk}/", {"action": "release"})

    done = client.get(answer["Location"]).content.decode()
    assert "You let this time go." in done
    assert "ran out" not in done
    assert Payment.objects.get(appointment=held).failure == "You let this time go."


def test_the_patient_can_let_the_held_time_go(client, patient, therapist, stripe_server) -> None:
    held = _held(client, therapist)
    page = client.get(f"/billing/deposit/{held.pk}/").content.decode()
    assert "Let this time go" in page
    assert 'value="release"' not in page  # the page asks first (found by an outside test)
    asked = client.get(f"/billing/deposit/{held.pk}/", {"let_go": "1"}).content.decode()
    assert "Let this time go?" in asked
    assert 'value="release"' in asked
    assert "Keep this time" in asked
    # What the page promises is what happens: a card the bank does not confirm keeps the hold.
    assert "If your bank does not confirm a card, the time stays held" in page
    assert "if the payment fails, the time is freed at once" not in page

    answer = client.post(f"/billing/deposit/{held.pk}/", {"action": "release"})

    held.refresh_from_db()
    assert answer.status_code == 302
    assert held.status == AppointmentStatus.EXPIRED
    assert list(held.changes.values_list("kind", flat=True)) == [
        "held_for_deposit",
        "deposit_released",
    ]
    deposit = Payment.objects.get(appointment=held)
    assert (deposit.status, deposit.attempted_at) == ("failed", None)
    done = client.get(answer["Location"]).content.decode()
    assert "The time is free again. Nothing was charged." in done
    assert "You let this time go." in done
    # The time is free for anyone at once.
    other = bookable_patient()
    client.force_login(other)
    assert _confirm(client, therapist, confirm="yes").status_code == 302
    assert Appointment.objects.filter(status=AppointmentStatus.HELD, patient=other).exists()


@pytest.mark.parametrize("path", ["/appointments/", "/dashboard/"])
def test_a_held_booking_is_found_again_in_the_appointments_list_and_on_the_dashboard(
    client, patient, therapist, path
) -> None:
    # The dashboard's "Your next sessions" once said "None booked." (found from outside).
    held = _held(client, therapist)
    page = client.get(path).content.decode()
    assert "None booked." not in page
    assert held.hold_expires_at is not None
    zone = ZoneInfo(held.location.time_zone)
    until = held.hold_expires_at.astimezone(zone).strftime("%H:%M")
    assert f"Waiting for the deposit — pay by {until}" in page
    assert f'href="/billing/deposit/{held.pk}/"' in page
