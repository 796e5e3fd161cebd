"""Booking with a deposit, against the local processor: the slot is held while the deposit is
paid, booked once it is, and freed at once when the payment fails; every check of booking still
applies, a hold that runs out frees the slot, and money taken after the hold ended comes back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from sciaticare.billing.models import REPLACED, Payment, PaymentStatus
from sciaticare.billing.selectors import saved_card
from sciaticare.billing.services import cards, deposits, payments
from sciaticare.core.errors import Conflict, PaymentFailed, Refused
from sciaticare.scheduling.forms import named_holds
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    SlotOffer,
    WaitlistEntry,
)
from sciaticare.scheduling.payments import HELD_TIME_NOT_NAMED
from sciaticare.scheduling.services import booking, changes, waitlist
from tests.billing.factories import deposit_therapist
from tests.factories import AppointmentFactory, PatientFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, bookable_patient
from tests.stripe import CARD, CARD_3DS, CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(stripe_server: StripeServer, settings: Any) -> tuple[Any, Any, Any]:
    settings.DEPOSIT_HOLD_MINUTES = 15
    return deposit_therapist()


def _hold(patient: Any, therapist: Any, *, days: int = 3, now: Any = None) -> Appointment:
    return booking.book_appointment(
        patient=patient, therapist_id=therapist.pk, start=at(days, 10), now=now
    )


def _new_card(stripe_server: StripeServer, payment: Payment, number: str = CARD) -> str:
    """What the deposit page's Stripe.js does: a card set-up confirmed with the card."""
    setup = cards.start_setup(patient=payment.patient, clinic=payment.clinic)
    stripe_server.save_card(setup.client_secret, number)
    return setup.id


def _kinds(appointment: Appointment) -> list[str]:
    return list(appointment.changes.order_by("pk").values_list("kind", flat=True))


def _charges(stripe_server: StripeServer) -> list[int]:
    listed = stripe_server.call("GET", "/v1/events?limit=100")["data"]
    return [
        e["data"]["object"]["amount"] for e in listed if e["type"] == "payment_intent.succeeded"
    ]


def test_booking_at_a_clinic_that_takes_deposits_holds_the_slot(clinic) -> None:
    therapist, _, location = clinic
    now = at(0, 8)
    held = _hold(bookable_patient(), therapist, now=now)

    assert held.status == AppointmentStatus.HELD
    assert held.hold_expires_at == now + timedelta(minutes=15)
    assert _kinds(held) == ["held_for_deposit"]
    (deposit,) = Payment.objects.filter(appointment=held)
    assert (deposit.amount, deposit.currency, deposit.status) == (
        Decimal("10.00"),
        "GBP",
        PaymentStatus.PENDING,
    )
    assert deposit.clinic == location.clinic


def test_a_paid_deposit_books_the_slot_and_sends_the_booking_mail(
    clinic, stripe_server, smtp, django_capture_on_commit_callbacks
) -> None:
    therapist, _, _ = clinic
    patient = bookable_patient()
    held = _hold(patient, therapist)
    deposit = Payment.objects.get(appointment=held)

    with django_capture_on_commit_callbacks(execute=True):
        paid = deposits.pay_with_new_card(
            payment=deposit, setup_intent=_new_card(stripe_server, deposit)
        )

    held.refresh_from_db()
    assert paid.status == PaymentStatus.SUCCEEDED
    assert (held.status, held.hold_expires_at) == (AppointmentStatus.BOOKED, None)
    assert _kinds(held) == ["held_for_deposit", "booked"]
    assert _charges(stripe_server) == [1000]
    assert any(s.startswith("Booked: massage with") for s in smtp.subjects(patient.email))


def test_a_card_the_bank_checks_is_booked_once_the_check_is_passed(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    held = _hold(bookable_patient(), therapist)
    deposit = Payment.objects.get(appointment=held)

    waiting = deposits.pay_with_new_card(
        payment=deposit, setup_intent=_new_card(stripe_server, deposit, CARD_3DS)
    )
    assert waiting.status == PaymentStatus.REQUIRES_ACTION
    held.refresh_from_db()
    assert held.status == AppointmentStatus.HELD
    secret = deposits.state_of(waiting).client_secret
    assert secret
    assert secret.startswith("pi_")

    stripe_server.authenticate(secret)
    finished = deposits.finish(payment=waiting)

    held.refresh_from_db()
    assert finished.status == PaymentStatus.SUCCEEDED
    assert held.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize("how", ["declined", "check_failed"])
def test_a_failed_payment_frees_the_slot_at_once(clinic, stripe_server, how) -> None:
    therapist, _, _ = clinic
    held = _hold(bookable_patient(), therapist)
    deposit = Payment.objects.get(appointment=held)
    card = CARD_DECLINED_ON_CHARGE if how == "declined" else CARD_3DS

    outcome = deposits.pay_with_new_card(
        payment=deposit, setup_intent=_new_card(stripe_server, deposit, card)
    )
    if how == "check_failed":
        stripe_server.authenticate(deposits.state_of(outcome).client_secret or "", success=False)
        outcome = deposits.finish(payment=outcome)

    held.refresh_from_db()
    assert outcome.status == PaymentStatus.FAILED
    assert held.status == AppointmentStatus.EXPIRED
    assert _kinds(held) == ["held_for_deposit", "deposit_failed"]
    assert _charges(stripe_server) == []
    # The same time is free for the next person at once.
    assert _hold(bookable_patient(), therapist).status == AppointmentStatus.HELD


def test_a_declined_card_says_why(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    deposit = Payment.objects.get(appointment=_hold(bookable_patient(), therapist))
    failed = deposits.pay_with_new_card(
        payment=deposit, setup_intent=_new_card(stripe_server, deposit, CARD_DECLINED_ON_CHARGE)
    )
    assert failed.failure == "Your card was declined."


def test_a_card_kept_at_the_clinic_pays_in_one_click(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    patient = bookable_patient()
    first = Payment.objects.get(appointment=_hold(patient, therapist, days=3))
    deposits.pay_with_new_card(payment=first, setup_intent=_new_card(stripe_server, first))

    second = Payment.objects.get(appointment=_hold(patient, therapist, days=4))
    paid = deposits.pay_with_saved_card(payment=second)

    assert paid.status == PaymentStatus.SUCCEEDED
    assert Appointment.objects.get(pk=second.appointment_id).status == AppointmentStatus.BOOKED
    assert _charges(stripe_server) == [1000, 1000]


def _on_file(patient: Any, location: Any) -> tuple[str, str] | None:
    card = saved_card(patient=patient, clinic=location.clinic)
    return (card.last4, card.payment_method_id[:3]) if card else None


def test_a_declined_new_card_never_becomes_the_card_on_file(clinic, stripe_server) -> None:
    therapist, _, location = clinic
    patient = bookable_patient()
    # No card yet: a declined one does not become one.
    first = Payment.objects.get(appointment=_hold(patient, therapist, days=3))
    failed = deposits.pay_with_new_card(
        payment=first, setup_intent=_new_card(stripe_server, first, CARD_DECLINED_ON_CHARGE)
    )
    assert failed.status == PaymentStatus.FAILED
    assert _on_file(patient, location) is None

    # A card that went through is kept...
    second = Payment.objects.get(appointment=_hold(patient, therapist, days=4))
    deposits.pay_with_new_card(payment=second, setup_intent=_new_card(stripe_server, second))
    assert _on_file(patient, location) == ("4242", "pm_")
    kept = saved_card(patient=patient, clinic=location.clinic)
    assert kept is not None

    # ...and a later declined one leaves it as it was (a fee is charged to it, not the dud).
    third = Payment.objects.get(appointment=_hold(patient, therapist, days=5))
    deposits.pay_with_new_card(
        payment=third, setup_intent=_new_card(stripe_server, third, CARD_DECLINED_ON_CHARGE)
    )
    after = saved_card(patient=patient, clinic=location.clinic)
    assert after is not None
    assert (after.payment_method_id, after.last4) == (kept.payment_method_id, "4242")
    assert after.trying == {}


def test_a_new_card_the_bank_checks_is_kept_only_once_paid(clinic, stripe_server) -> None:
    therapist, _, location = clinic
    patient = bookable_patient()
    deposit = Payment.objects.get(appointment=_hold(patient, therapist))
    waiting = deposits.pay_with_new_card(
        payment=deposit, setup_intent=_new_card(stripe_server, deposit, CARD_3DS)
    )
    assert _on_file(patient, location) is None  # not yet: the bank is checking
    stripe_server.authenticate(deposits.state_of(waiting).client_secret or "")
    deposits.finish(payment=waiting)
    assert _on_file(patient, location) == ("3184", "pm_")


def test_paying_twice_charges_once(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    deposit = Payment.objects.get(appointment=_hold(bookable_patient(), therapist))
    deposits.pay_with_new_card(payment=deposit, setup_intent=_new_card(stripe_server, deposit))
    deposit.refresh_from_db()

    with pytest.raises(Conflict, match="paid or being paid"):
        deposits.pay_with_saved_card(payment=deposit)
    assert _charges(stripe_server) == [1000]


def test_no_card_saved_means_no_one_click(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    deposit = Payment.objects.get(appointment=_hold(bookable_patient(), therapist))
    with pytest.raises(Conflict, match="No card is saved"):
        deposits.pay_with_saved_card(payment=deposit)


def test_a_hold_past_its_time_takes_no_money(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    now = at(0, 8)
    held = _hold(bookable_patient(), therapist, now=now)
    deposit = Payment.objects.get(appointment=held)
    setup = _new_card(stripe_server, deposit)

    with pytest.raises(Conflict, match="ran out"):
        deposits.pay_with_new_card(
            payment=deposit, setup_intent=setup, now=now + timedelta(minutes=16)
        )

    held.refresh_from_db()
    deposit.refresh_from_db()
    assert held.status == AppointmentStatus.EXPIRED
    assert _kinds(held) == ["held_for_deposit", "hold_expired"]
    assert deposit.status == PaymentStatus.FAILED
    assert _charges(stripe_server) == []


def test_the_hold_expiry_job_frees_unpaid_deposit_holds(
    clinic, django_capture_on_commit_callbacks
) -> None:
    therapist, _, _ = clinic
    now = at(0, 8)
    held = _hold(bookable_patient(), therapist, now=now)
    waiting = WaitlistEntry.objects.create(
        patient=bookable_patient(),
        therapist=therapist,
        earliest=at(0, 8).date(),
        latest=at(10, 8).date(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert waitlist.expire_offers(now=now + timedelta(minutes=14)) == 0
        assert waitlist.expire_offers(now=now + timedelta(minutes=15)) == 1

    held.refresh_from_db()
    assert held.status == AppointmentStatus.EXPIRED
    assert _kinds(held) == ["held_for_deposit", "hold_expired"]
    # The slot was free before the hold: nobody on the waitlist is offered it; the deposit
    # nobody started paying is closed.
    assert not SlotOffer.objects.filter(entry=waiting).exists()
    assert Payment.objects.get(appointment=held).status == PaymentStatus.FAILED


def test_money_taken_after_the_hold_ran_out_comes_back(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    now = at(0, 8)
    held = _hold(bookable_patient(), therapist, now=now)
    deposit = Payment.objects.get(appointment=held)
    waiting = deposits.pay_with_new_card(
        payment=deposit, setup_intent=_new_card(stripe_server, deposit, CARD_3DS), now=now
    )
    waitlist.expire_offers(now=now + timedelta(minutes=20))  # while the bank was checking

    stripe_server.authenticate(deposits.state_of(waiting).client_secret or "")
    finished = deposits.finish(payment=waiting)

    held.refresh_from_db()
    assert finished.status == PaymentStatus.SUCCEEDED
    assert held.status == AppointmentStatus.EXPIRED
    assert payments.refunded(finished).amount == Decimal("10.00")
    assert deposits.state_of(finished).status == "refunded"
    assert [r["amount"] for r in stripe_server.call("GET", "/v1/refunds")["data"]] == [1000]


def test_every_check_of_booking_still_applies(clinic) -> None:
    therapist, _, _ = clinic
    blocked = PatientFactory()
    make_intake(blocked, yes={"saddle_numbness": True})
    with pytest.raises(Refused, match="doctor"):
        _hold(blocked, therapist)
    held = _hold(bookable_patient(), therapist)
    with pytest.raises(Conflict, match="just taken"):
        _hold(bookable_patient(), therapist)  # a held slot is taken
    assert Payment.objects.count() == 1
    assert Appointment.objects.filter(status=AppointmentStatus.HELD).get() == held


def test_a_session_priced_in_another_currency_is_not_taken_in_the_wrong_money(
    stripe_server, settings
) -> None:
    therapist, _, _ = deposit_therapist(currency="EUR")
    with pytest.raises(Refused, match="priced in GBP"):
        _hold(bookable_patient(), therapist)
    assert not Appointment.objects.exists()


def test_without_a_card_processor_the_booking_is_made_at_once(stripe_server, settings) -> None:
    settings.STRIPE_SECRET_KEY = ""
    therapist, _, _ = deposit_therapist()
    assert _hold(bookable_patient(), therapist).status == AppointmentStatus.BOOKED
    assert not Payment.objects.exists()


def test_no_slot_stays_held_by_a_failed_payment(clinic, stripe_server) -> None:
    """Patients take turns at one slot, each with a card that fails: each failure frees the
    slot for the next at once, and at the end nobody holds it."""
    therapist, _, _ = clinic
    for card in (CARD_DECLINED_ON_CHARGE, CARD_3DS, CARD_DECLINED_ON_CHARGE):
        held = _hold(bookable_patient(), therapist)
        deposit = Payment.objects.get(appointment=held)
        outcome = deposits.pay_with_new_card(
            payment=deposit, setup_intent=_new_card(stripe_server, deposit, card)
        )
        if outcome.status == PaymentStatus.REQUIRES_ACTION:
            secret = deposits.state_of(outcome).client_secret or ""
            stripe_server.authenticate(secret, success=False)
            outcome = deposits.finish(payment=outcome)
        assert outcome.status == PaymentStatus.FAILED
        assert not Appointment.objects.filter(status=AppointmentStatus.HELD).exists()
    assert not Appointment.objects.filter(status__in=["held", "booked"]).exists()
    assert _charges(stripe_server) == []


def test_a_processor_out_of_reach_leaves_no_hold(clinic, stripe_server, settings) -> None:
    therapist, _, _ = clinic
    held = _hold(bookable_patient(), therapist)
    deposit = Payment.objects.get(appointment=held)
    setup = _new_card(stripe_server, deposit)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    with pytest.raises(PaymentFailed, match="could not be reached"):
        deposits.pay_with_new_card(payment=deposit, setup_intent=setup)
    held.refresh_from_db()
    assert held.status == AppointmentStatus.HELD  # the card was not even saved: try again


def test_a_charge_without_an_answer_frees_the_slot(clinic, stripe_server, settings) -> None:
    therapist, _, _ = clinic
    patient = bookable_patient()
    first = Payment.objects.get(appointment=_hold(patient, therapist, days=3))
    deposits.pay_with_new_card(payment=first, setup_intent=_new_card(stripe_server, first))
    held = _hold(patient, therapist, days=4)
    deposit = Payment.objects.get(appointment=held)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the charge gets no answer

    with pytest.raises(PaymentFailed, match="could not be reached"):
        deposits.pay_with_saved_card(payment=deposit)

    held.refresh_from_db()
    deposit.refresh_from_db()
    assert held.status == AppointmentStatus.EXPIRED
    # Left for the reconciliation job, which gives back anything the processor did take.
    assert (deposit.status, deposit.attempted_at is not None) == (PaymentStatus.PENDING, True)


# --- A waitlist offer at a clinic that takes deposits -----------------------------------------


@pytest.fixture
def offered(clinic, smtp, django_capture_on_commit_callbacks) -> dict[str, Any]:
    """A booked session in three days is cancelled; two people wait for the therapist, and the
    first in line is offered its time. (`smtp` runs tasks at once.)"""
    therapist, session, location = clinic
    first, second = bookable_patient(), bookable_patient()
    for person in (first, second):
        waitlist.join_waitlist(
            patient=person,
            therapist_id=therapist.pk,
            earliest=at(0, 8).date(),
            latest=at(7, 8).date(),
        )
    booked = AppointmentFactory(
        patient=bookable_patient(),
        therapist=therapist,
        location=location,
        session_type=session,
        start=at(3, 10),
        status=AppointmentStatus.BOOKED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=booked.patient, appointment_id=booked.pk)
    offer = SlotOffer.objects.get(entry__patient=first)
    return {"first": first, "second": second, "offer": offer}


def _accept(offered: dict[str, Any], capture: Any) -> Appointment:
    with capture(execute=True):
        return waitlist.accept_offer(patient=offered["first"], offer_id=offered["offer"].pk)


def _status(patient: Any) -> str:
    return WaitlistEntry.objects.get(patient=patient).status


def test_an_accepted_offer_is_booked_once_its_deposit_is_paid(
    offered, stripe_server, django_capture_on_commit_callbacks
) -> None:
    held = _accept(offered, django_capture_on_commit_callbacks)

    held.refresh_from_db()
    assert held.status == AppointmentStatus.HELD  # not booked without the deposit
    assert _kinds(held) == ["held", "held_for_deposit"]
    deposit = Payment.objects.get(appointment=held)
    assert (deposit.amount, deposit.status) == (Decimal("10.00"), PaymentStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        deposits.pay_with_new_card(payment=deposit, setup_intent=_new_card(stripe_server, deposit))

    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED
    assert _status(offered["first"]) == "booked"
    assert _charges(stripe_server) == [1000]
    assert not SlotOffer.objects.filter(entry__patient=offered["second"]).exists()


@pytest.mark.parametrize("how", ["declined", "unpaid"])
def test_an_accepted_offer_left_unpaid_goes_to_the_next_in_line(
    offered, stripe_server, django_capture_on_commit_callbacks, how
) -> None:
    now = offered["offer"].offered_at + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        held = waitlist.accept_offer(
            patient=offered["first"], offer_id=offered["offer"].pk, now=now
        )
    deposit = Payment.objects.get(appointment=held)

    with django_capture_on_commit_callbacks(execute=True):
        if how == "declined":
            card = _new_card(stripe_server, deposit, CARD_DECLINED_ON_CHARGE)
            deposits.pay_with_new_card(payment=deposit, setup_intent=card, now=now)
        else:
            assert waitlist.expire_offers(now=now + timedelta(minutes=15)) == 1

    held.refresh_from_db()
    assert held.status == AppointmentStatus.EXPIRED
    assert _status(offered["first"]) == "waiting"
    second = SlotOffer.objects.get(entry__patient=offered["second"])
    assert second.appointment.start == held.start
    assert second.appointment.status == AppointmentStatus.HELD
    assert _charges(stripe_server) == []


def test_the_offer_page_says_the_deposit_and_accepting_leads_to_paying_it(offered, client) -> None:
    client.force_login(offered["first"])
    offer = offered["offer"]

    page = client.get(reverse("scheduling:offer", args=[offer.pk])).content.decode()
    assert "A deposit of £10.00 (20 %) is taken now by card." in page
    assert "Book and pay the £10.00 deposit" in page

    answer = client.post(reverse("scheduling:offer_accept", args=[offer.pk]))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("billing:deposit", args=[offer.appointment_id])


def test_one_booking_waits_for_its_deposit_at_a_time(
    clinic, stripe_server, django_capture_on_commit_callbacks
) -> None:
    """Booking again lets the earlier unpaid hold go: nobody can hold a week by never paying.
    A hold whose payment has started is left to its outcome."""
    therapist, _, _ = clinic
    patient = bookable_patient()
    first = _hold(patient, therapist, days=3)
    with django_capture_on_commit_callbacks(execute=True):
        second = _hold(patient, therapist, days=4)
    first.refresh_from_db()
    assert first.status == AppointmentStatus.EXPIRED
    assert _kinds(first) == ["held_for_deposit", "hold_replaced"]
    assert Payment.objects.get(appointment=first).status == PaymentStatus.FAILED
    # Why, in words: not "ran out" (found by an outside test).
    assert Payment.objects.get(appointment=first).failure == REPLACED

    deposit = Payment.objects.get(appointment=second)
    waiting = deposits.pay_with_new_card(
        payment=deposit, setup_intent=_new_card(stripe_server, deposit, CARD_3DS)
    )
    assert waiting.status == PaymentStatus.REQUIRES_ACTION  # being paid: the bank asks
    third = _hold(patient, therapist, days=5)
    second.refresh_from_db()
    assert (second.status, third.status) == (AppointmentStatus.HELD, AppointmentStatus.HELD)
    # Someone else's hold is never touched.
    other = _hold(bookable_patient(), therapist, days=6)
    third.refresh_from_db()
    assert (third.status, other.status) == (AppointmentStatus.HELD, AppointmentStatus.HELD)


def _held_and_booking_again(clinic: Any, client: Any) -> tuple[Any, Any, Appointment, str]:
    """A patient signed in with a time held for its deposit, and the booking page's address."""
    therapist, _, _ = clinic
    patient = bookable_patient()
    first = _hold(patient, therapist, days=3)
    client.force_login(patient)
    return therapist, patient, first, reverse("scheduling:book", args=[therapist.pk])


def test_the_confirm_step_names_the_held_time_booking_again_lets_go(clinic, client) -> None:
    """Found by an outside test: booking a second time let the first, held for its deposit, go
    without a word. The confirm step names it, and a confirm that did not see it (a page opened
    before it was held, a second tab) is asked again instead of letting it go."""
    _, patient, first, url = _held_and_booking_again(clinic, client)
    start = at(4, 10).isoformat()

    step = client.post(url, {"start": start}).content.decode()
    assert "Confirming lets go of the time you have held for its deposit:" in step
    assert f'name="replacing" value="{first.pk}"' in step
    assert 'aria-describedby="replacing-note"' in step

    unseen = client.post(url, {"start": start, "confirm": "yes"})
    assert unseen.status_code == 200  # the confirm step again, saying why, the held time named
    again = unseen.content.decode()
    assert "Nothing was booked: since this page opened" in again
    assert "Confirming lets go of the time" in again
    first.refresh_from_db()
    assert first.status == AppointmentStatus.HELD
    assert Appointment.objects.filter(patient=patient).count() == 1

    booked = client.post(url, {"start": start, "confirm": "yes", "replacing": str(first.pk)})
    assert booked.status_code == 302
    first.refresh_from_db()
    assert first.status == AppointmentStatus.EXPIRED
    assert Appointment.objects.get(patient=patient, start=at(4, 10)).status == (
        AppointmentStatus.HELD
    )


def test_the_confirm_step_names_no_held_time_when_there_is_none(clinic, client) -> None:
    therapist, _, _ = clinic
    patient = bookable_patient()
    client.force_login(patient)
    url = reverse("scheduling:book", args=[therapist.pk])

    step = client.post(url, {"start": at(4, 10).isoformat()}).content.decode()

    assert "Confirm and pay the £10.00 deposit" in step
    assert "lets go of" not in step
    assert 'name="replacing"' not in step


def test_a_time_held_after_the_confirm_step_was_shown_stops_the_booking(clinic, client) -> None:
    """Found by an outside test: two tabs confirming at once, each page naming only the time
    held before, and one booking let go of the other's new hold unnamed. The check is the
    booking's own, in its transaction: a hold the page did not name rolls the booking back."""
    therapist, patient, first, url = _held_and_booking_again(clinic, client)
    start = at(4, 10).isoformat()
    shown = client.post(url, {"start": start}).content.decode()
    assert f'name="replacing" value="{first.pk}"' in shown
    second = _hold(patient, therapist, days=5)  # the other tab, meanwhile

    answer = client.post(url, {"start": start, "confirm": "yes", "replacing": str(first.pk)})

    assert answer.status_code == 200
    assert "Nothing was booked: since this page opened" in answer.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (AppointmentStatus.EXPIRED, AppointmentStatus.HELD)
    assert not Appointment.objects.filter(patient=patient, start=at(4, 10)).exists()


@pytest.mark.parametrize("named", ["", "abc", "²", "-1", "9" * 40])
def test_a_booking_names_its_held_times_or_none_go(clinic, named) -> None:
    therapist, _, _ = clinic
    patient = bookable_patient()
    first = _hold(patient, therapist, days=3)

    with pytest.raises(Conflict) as refused:
        booking.book_appointment(
            patient=patient,
            therapist_id=therapist.pk,
            start=at(4, 10),
            replacing=named_holds(named),
        )

    assert refused.value.code == HELD_TIME_NOT_NAMED
    first.refresh_from_db()
    assert first.status == AppointmentStatus.HELD
    assert Appointment.objects.filter(patient=patient).count() == 1
    # The API names none: its booking lets the earlier hold go, as its description says.
    booking.book_appointment(patient=patient, therapist_id=therapist.pk, start=at(4, 10))
    first.refresh_from_db()
    assert first.status == AppointmentStatus.EXPIRED


def test_accepting_an_offer_names_the_held_time_it_lets_go(offered, client) -> None:
    """Found by an outside test: accepting a waitlist offer at a clinic that takes deposits let
    the patient's time held for its deposit go without a word, as booking again did."""
    patient, offer = offered["first"], offered["offer"]
    therapist = offer.appointment.therapist
    held = _hold(patient, therapist, days=5)
    client.force_login(patient)
    page_url = reverse("scheduling:offer", args=[offer.pk])
    accept_url = reverse("scheduling:offer_accept", args=[offer.pk])

    page = client.get(page_url).content.decode()
    assert "Confirming lets go of the time you have held for its deposit:" in page
    assert f'name="replacing" value="{held.pk}"' in page

    unseen = client.post(accept_url)
    assert unseen.status_code == 200
    assert "Nothing was booked: since this page opened" in unseen.content.decode()
    held.refresh_from_db()
    assert held.status == AppointmentStatus.HELD

    accepted = client.post(accept_url, {"replacing": str(held.pk)})
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("billing:deposit", args=[offer.appointment_id])
    held.refresh_from_db()
    assert held.status == AppointmentStatus.EXPIRED
