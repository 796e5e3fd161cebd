"""Booking with a deposit through the API: `POST /api/v1/appointments` holds the slot and says
what the app must do next (`payment`), `POST /api/v1/payments/{id}/card` and `…/finish` pay it,
and a payment that fails leaves no booking."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sciaticare.billing.models import Payment
from sciaticare.billing.services import cards
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from tests.billing.factories import clinic_policy, deposit_therapist
from tests.scheduling.helpers import at, bookable_patient, working_therapist
from tests.stripe import CARD, CARD_3DS, CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def _book(client: Any, therapist: Any, days: int = 3) -> Any:
    return _post(
        client,
        "/api/v1/appointments",
        {"therapist": therapist.pk, "start": at(days, 10).isoformat()},
    )


def _pay_new_card(client: Any, stripe_server: StripeServer, booked: dict, number: str) -> Any:
    payment = booked["payment"]
    setup = stripe_server.save_card(payment["client_secret"], number)
    return _post(client, f"/api/v1/payments/{payment['id']}/card", {"setup_intent": setup["id"]})


@pytest.fixture
def patient(client: Any) -> Any:
    person = bookable_patient()
    client.force_login(person)
    return person


def test_booking_holds_the_slot_and_hands_out_the_card_set_up(
    client, patient, stripe_server
) -> None:
    therapist, _, _ = deposit_therapist()
    answer = _book(client, therapist)

    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "held"
    assert body["hold_expires_at"]
    payment = body["payment"]
    assert (payment["status"], payment["amount"], payment["currency"]) == (
        "requires_action",
        "10.00",
        "GBP",
    )
    assert payment["client_secret"].startswith("seti_")
    assert Payment.objects.get(pk=payment["id"]).appointment_id == body["id"]


def test_a_new_card_pays_and_books(client, patient, stripe_server) -> None:
    therapist, _, _ = deposit_therapist()
    booked = _book(client, therapist).json()

    paid = _pay_new_card(client, stripe_server, booked, CARD)

    assert paid.status_code == 200, paid.content
    assert paid.json() == {
        "id": booked["payment"]["id"],
        "status": "paid",
        "amount": "10.00",
        "currency": "GBP",
        "client_secret": None,
        "appointment": booked["id"],
        "appointment_status": "booked",
    }


def test_the_banks_check_then_finish(client, patient, stripe_server) -> None:
    therapist, _, _ = deposit_therapist()
    booked = _book(client, therapist).json()

    waiting = _pay_new_card(client, stripe_server, booked, CARD_3DS).json()
    assert (waiting["status"], waiting["appointment_status"]) == ("requires_action", "held")
    assert waiting["client_secret"].startswith("pi_")
    stripe_server.authenticate(waiting["client_secret"])
    done = _post(client, f"/api/v1/payments/{waiting['id']}/finish")

    assert done.status_code == 200
    assert (done.json()["status"], done.json()["appointment_status"]) == ("paid", "booked")


def test_a_declined_card_is_a_402_and_frees_the_slot(client, patient, stripe_server) -> None:
    therapist, _, _ = deposit_therapist()
    booked = _book(client, therapist).json()

    declined = _pay_new_card(client, stripe_server, booked, CARD_DECLINED_ON_CHARGE)

    assert declined.status_code == 402
    assert declined.json()["code"] == "card_declined"
    assert Appointment.objects.get(pk=booked["id"]).status == AppointmentStatus.EXPIRED
    client.force_login(bookable_patient())
    assert _book(client, therapist).json()["status"] == "held"  # the time is free again


def test_a_card_kept_at_the_clinic_is_charged_at_booking(client, patient, stripe_server) -> None:
    therapist, _, _ = deposit_therapist()
    first = _book(client, therapist, days=3).json()
    _pay_new_card(client, stripe_server, first, CARD)

    second = _book(client, therapist, days=4)

    assert second.status_code == 201
    body = second.json()
    assert (body["status"], body["payment"]["status"]) == ("booked", "paid")
    assert "hold_expires_at" not in body
    assert "client_secret" not in body["payment"]


def test_a_kept_card_declined_at_booking_leaves_no_booking(client, patient, stripe_server) -> None:
    therapist, _, location = deposit_therapist()
    # A card kept at the clinic that the bank now declines.
    setup = cards.start_setup(patient=patient, clinic=location.clinic)
    stripe_server.save_card(setup.client_secret, CARD_DECLINED_ON_CHARGE)
    cards.save(patient=patient, clinic=location.clinic, setup_intent=setup.id)

    second = _book(client, therapist, days=4)

    assert second.status_code == 402
    assert "declined" in second.json()["detail"]
    assert not Appointment.objects.filter(status__in=["held", "booked"]).exists()


def test_a_clinic_paid_at_the_desk_says_nothing_is_taken_now(client, patient) -> None:
    therapist, _, location = working_therapist()
    clinic_policy(location.clinic, pay_at_booking=False)
    body = _book(client, therapist).json()
    assert body["status"] == "booked"
    assert body["payment"] == {"status": "none", "amount": "10.00", "currency": "GBP"}


def test_a_clinic_without_a_policy_answers_as_before(client, patient) -> None:
    therapist, _, _ = working_therapist()
    body = _book(client, therapist).json()
    assert body["status"] == "booked"
    assert "payment" not in body


def test_only_the_patient_pays_their_own_deposit(client, patient, stripe_server) -> None:
    therapist, _, _ = deposit_therapist()
    booked = _book(client, therapist).json()
    setup = stripe_server.save_card(booked["payment"]["client_secret"], CARD)
    payment_id = booked["payment"]["id"]
    for stranger in (bookable_patient(), therapist.user):
        client.force_login(stranger)
        card = _post(client, f"/api/v1/payments/{payment_id}/card", {"setup_intent": setup["id"]})
        finish = _post(client, f"/api/v1/payments/{payment_id}/finish")
        assert (card.status_code, finish.status_code) == (404, 404)
    assert Payment.objects.get(pk=payment_id).attempted_at is None


def test_a_set_up_that_is_not_one_is_a_422(client, patient, stripe_server) -> None:
    therapist, _, _ = deposit_therapist()
    booked = _book(client, therapist).json()
    answer = _post(
        client,
        f"/api/v1/payments/{booked['payment']['id']}/card",
        {"setup_intent": "pi_123_secret_456"},
    )
    assert answer.status_code == 422
