"""What the end of a session costs, against the local processor: a cancellation in time gives
the deposit back and a late one keeps the fee, a therapist's cancellation costs the patient
nothing, a no-show is charged once whatever the retries (and the patient told), and a completed
session is invoiced with its deposit counted. Each runs once per appointment."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from sciaticare.billing.models import Invoice, InvoiceLine, Payment, Purpose
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import paid
from sciaticare.billing.services import cards, deposits, invoices, payments, sessions
from sciaticare.billing.tasks import charge_no_show, tell_fee_not_taken
from sciaticare.records import services as records
from sciaticare.scheduling.models import Appointment, AppointmentStatus, BookingPolicy
from sciaticare.scheduling.services import attendance, booking, changes
from tests.billing.factories import deposit_therapist
from tests.scheduling.helpers import at, bookable_patient
from tests.stripe import CARD, CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic(stripe_server: StripeServer) -> tuple[Any, Any, Any]:
    return deposit_therapist()


def _booked_with_deposit(
    stripe_server: StripeServer, therapist: Any, *, days: int = 3, patient: Any = None
) -> Appointment:
    """A booking at the deposit clinic, its £10.00 deposit paid by card."""
    held = booking.book_appointment(
        patient=patient or bookable_patient(), therapist_id=therapist.pk, start=at(days, 10)
    )
    deposit = Payment.objects.get(appointment=held)
    setup = cards.start_setup(patient=deposit.patient, clinic=deposit.clinic)
    stripe_server.save_card(setup.client_secret, CARD)
    deposits.pay_with_new_card(payment=deposit, setup_intent=setup.id)
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED
    return held


def _given_back(appointment: Appointment) -> Money:
    deposit = Payment.objects.get(appointment=appointment, purpose=Purpose.SESSION)
    return payments.refunded(deposit)


def _processor_refunds(stripe_server: StripeServer) -> list[int]:
    return [r["amount"] for r in stripe_server.call("GET", "/v1/refunds")["data"]]


def _charges(stripe_server: StripeServer) -> list[int]:
    """The amounts charged, smallest first."""
    listed = stripe_server.call("GET", "/v1/events?limit=100")["data"]
    return sorted(
        e["data"]["object"]["amount"] for e in listed if e["type"] == "payment_intent.succeeded"
    )


# --- Cancelling --------------------------------------------------------------------------------


def test_cancelling_in_time_gives_the_deposit_back_in_full(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    changes.cancel_appointment(user=appointment.patient, appointment_id=appointment.pk)

    assert sessions.settle_cancellation(appointment_id=appointment.pk) is None
    assert sessions.settle_cancellation(appointment_id=appointment.pk) is None  # a retry

    assert _given_back(appointment) == Money.of("10.00", "GBP")
    assert _processor_refunds(stripe_server) == [1000]
    assert not Invoice.objects.exists()


def test_cancelling_late_keeps_the_fee_and_charges_the_rest_once(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    late = appointment.start - timedelta(hours=3)
    changes.cancel_appointment(user=appointment.patient, appointment_id=appointment.pk, now=late)

    invoice = sessions.settle_cancellation(appointment_id=appointment.pk)
    again = sessions.settle_cancellation(appointment_id=appointment.pk)

    assert invoice is not None
    assert again == invoice
    assert (invoice.purpose, invoice.total) == (Purpose.LATE_CANCEL_FEE, Decimal("20.00"))
    # The £10.00 deposit counts; the other £10.00 is charged to the card, once.
    assert paid(invoice) == Money.of("20.00", "GBP")
    assert _charges(stripe_server) == [1000, 1000]
    assert _processor_refunds(stripe_server) == []


def test_a_late_cancellation_without_a_fee_gives_the_deposit_back(clinic, stripe_server) -> None:
    therapist, _, location = clinic
    location.clinic.payment_policy.late_cancel_fee = Decimal(0)
    location.clinic.payment_policy.save()
    appointment = _booked_with_deposit(stripe_server, therapist)
    changes.cancel_appointment(
        user=appointment.patient,
        appointment_id=appointment.pk,
        now=appointment.start - timedelta(hours=3),
    )

    assert sessions.settle_cancellation(appointment_id=appointment.pk) is None
    assert _given_back(appointment) == Money.of("10.00", "GBP")


def test_the_therapist_cancelling_late_refunds_in_full_and_charges_nothing(
    clinic, stripe_server
) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    changes.cancel_appointment(
        user=therapist.user,
        appointment_id=appointment.pk,
        now=appointment.start - timedelta(hours=3),
    )

    assert sessions.settle_cancellation(appointment_id=appointment.pk) is None
    assert _given_back(appointment) == Money.of("10.00", "GBP")
    assert not Invoice.objects.exists()
    assert _charges(stripe_server) == [1000]  # the deposit only


def test_cancelling_after_a_move_gives_back_the_deposit_paid_before_it(
    clinic, stripe_server
) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    moved = changes.reschedule_appointment(
        user=appointment.patient, appointment_id=appointment.pk, new_start=at(4, 11)
    )
    changes.cancel_appointment(user=appointment.patient, appointment_id=moved.pk)

    sessions.settle_cancellation(appointment_id=moved.pk)

    assert _given_back(appointment) == Money.of("10.00", "GBP")


def test_cancelling_runs_from_the_hook_after_commit(
    clinic, stripe_server, smtp, django_capture_on_commit_callbacks
) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=appointment.patient, appointment_id=appointment.pk)
    assert _given_back(appointment) == Money.of("10.00", "GBP")


def test_a_declined_fee_is_told_to_the_patient_once(
    clinic, stripe_server, smtp, django_capture_on_commit_callbacks
) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    patient, clinic_ = appointment.patient, appointment.location.clinic
    # The card kept at the clinic now declines (attached fine, refused when charged).
    setup = cards.start_setup(patient=patient, clinic=clinic_)
    stripe_server.save_card(setup.client_secret, CARD_DECLINED_ON_CHARGE)
    cards.save(patient=patient, clinic=clinic_, setup_intent=setup.id)
    late = appointment.start - timedelta(hours=3)
    changes.cancel_appointment(user=patient, appointment_id=appointment.pk, now=late)

    with django_capture_on_commit_callbacks(execute=True):
        invoice = sessions.settle_cancellation(appointment_id=appointment.pk)
    assert invoice is not None
    (declined,) = Payment.objects.filter(invoice=invoice, purpose=Purpose.LATE_CANCEL_FEE)
    # The task again (a retry of the queue, or a second failure's hook): no second mail.
    assert tell_fee_not_taken.enqueue(declined.pk).return_value == 0

    told = [m for m in smtp.to(patient.email) if "was not taken" in m["Subject"]]
    assert len(told) == 1
    assert told[0]["Subject"] == f"{clinic_.name}: your late cancellation fee was not taken"
    body = told[0].get_content()
    assert "your card was declined" in body
    assert "The fee is £20.00. Paid already: £10.00, from your deposit." in body
    assert "Still to pay: £10.00." in body
    assert "pay it at the clinic" in body
    assert "/billing/payments/" in body
    assert invoice.number in body
    assert "0341" not in body  # no card details


# --- No-shows ----------------------------------------------------------------------------------


def _started(appointment: Appointment) -> None:
    """Move the session into the past (it has begun), around the booking rules."""
    shift = appointment.start - (at(0, 0) - timedelta(hours=2))
    Appointment.objects.filter(pk=appointment.pk).update(
        start=appointment.start - shift,
        end=appointment.end - shift,
        busy_until=appointment.busy_until - shift,
    )


def test_a_no_show_is_charged_once_whatever_the_retries(
    clinic, stripe_server, smtp, django_capture_on_commit_callbacks, client
) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    _started(appointment)
    client.force_login(therapist.user)
    url = f"/api/v1/appointments/{appointment.pk}/no-show"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        again = client.post(url)  # a retry
        page = client.post(f"/appointments/{appointment.pk}/attendance/", {"attended": "no"})

    assert (first.status_code, again.status_code, page.status_code) == (200, 200, 302)
    assert first.json()["status"] == again.json()["status"] == "no_show"
    (invoice,) = Invoice.objects.filter(appointment=appointment)
    assert (invoice.purpose, invoice.total) == (Purpose.NO_SHOW_FEE, Decimal("30.00"))
    assert paid(invoice) == Money.of("30.00", "GBP")
    assert _charges(stripe_server) == [1000, 2000]  # the deposit, then the rest of the fee
    # The fee's own mail (the payment that went through also gets its receipt, once).
    subject = f"Missed session with {therapist.user.display_name}: a fee of £30.00"
    (mail,) = [m for m in smtp.to(appointment.patient.email) if m["Subject"] == subject]
    body = mail.get_content()
    assert "£30.00" in body
    assert invoice.number in body
    assert "Still to pay" not in body


def test_a_no_show_before_the_start_is_refused(clinic, stripe_server, client) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    client.force_login(therapist.user)
    response = client.post(f"/api/v1/appointments/{appointment.pk}/no-show")
    assert (response.status_code, response.json()["code"]) == (409, "not_started")
    assert not Invoice.objects.exists()


def test_only_the_sessions_therapist_marks_a_no_show(clinic, stripe_server, client) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    _started(appointment)
    for who in (appointment.patient, deposit_therapist()[0].user):
        client.force_login(who)
        assert client.post(f"/api/v1/appointments/{appointment.pk}/no-show").status_code == 404


def test_the_no_show_task_charges_once_when_run_twice(clinic, stripe_server, smtp) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    _started(appointment)
    attendance.mark_attendance(
        therapist_user=therapist.user, appointment_id=appointment.pk, attended=False
    )
    first = charge_no_show.enqueue(appointment.pk).return_value
    second = charge_no_show.enqueue(appointment.pk).return_value
    assert first == second
    assert _charges(stripe_server) == [1000, 2000]
    told = [s for s in smtp.subjects(appointment.patient.email) if s.startswith("Missed session")]
    assert len(told) == 1  # the retry sends no second mail


def test_a_fee_left_uncharged_by_a_stopped_run_is_charged_by_the_retry(
    clinic, stripe_server, smtp
) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    _started(appointment)
    attendance.mark_attendance(
        therapist_user=therapist.user, appointment_id=appointment.pk, attended=False
    )
    # A run stopped between committing the fee's invoice and charging it (a killed worker):
    # the invoice issued, the deposit counted, the rest owed and never tried.
    with transaction.atomic():
        invoice = invoices.issue(
            clinic=appointment.location.clinic,
            patient=appointment.patient,
            purpose=Purpose.NO_SHOW_FEE,
            appointment=appointment,
            lines=[invoices.Line("Missed session fee", Money.of("30.00", "GBP"))],
            by=None,
        )
        owed = deposits.count_against(appointment=appointment, invoice=invoice).owed
        payments.new(
            clinic=invoice.clinic,
            patient=appointment.patient,
            purpose=Purpose.NO_SHOW_FEE,
            amount=owed,
            appointment=appointment,
            invoice=invoice,
        )
    assert _charges(stripe_server) == [1000]

    # The task runs again: the rest is charged, once, however often it runs.
    first = charge_no_show.enqueue(appointment.pk).return_value
    second = charge_no_show.enqueue(appointment.pk).return_value

    assert first == second == invoice.pk
    assert _charges(stripe_server) == [1000, 2000]
    assert paid(invoice) == Money.of("30.00", "GBP")


# --- A completed session -------------------------------------------------------------------------


def test_a_completed_session_is_invoiced_with_its_deposit_counted(clinic, stripe_server) -> None:
    therapist, _, _ = clinic
    appointment = _booked_with_deposit(stripe_server, therapist)
    _started(appointment)
    attendance.mark_attendance(
        therapist_user=therapist.user, appointment_id=appointment.pk, attended=True
    )

    invoice = sessions.invoice_session(appointment_id=appointment.pk)
    again = sessions.invoice_session(appointment_id=appointment.pk)

    assert invoice is not None
    assert again == invoice
    assert (invoice.purpose, invoice.total) == (Purpose.SESSION, Decimal("50.00"))
    (line,) = invoice.lines.all()
    assert (line.quantity, line.unit_amount, line.code) == (1, Decimal("50.00"), "")
    assert paid(invoice) == Money.of("10.00", "GBP")  # the deposit; £40.00 left to pay
    assert _charges(stripe_server) == [1000]


def test_tax_is_added_as_the_policy_says(clinic, stripe_server) -> None:
    therapist, _, location = clinic
    location.clinic.payment_policy.tax_percent = Decimal(20)
    location.clinic.payment_policy.save()
    appointment = _booked_with_deposit(stripe_server, therapist)
    _started(appointment)
    records.start_note(therapist_user=therapist.user, appointment_id=appointment.pk)
    records.sign_note(therapist_user=therapist.user, appointment_id=appointment.pk)

    invoice = sessions.invoice_session(appointment_id=appointment.pk)

    assert invoice is not None
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("60.00"),
    )


@pytest.mark.parametrize(
    ("price", "minutes", "lines"),
    [
        ("80.00", 60, [(4, "20.00")]),
        ("70.00", 45, [(2, "23.33"), (1, "23.34")]),
        ("55.00", 30, [(2, "27.50")]),
    ],
)
def test_a_us_clinic_bills_cpt_97124_by_units(price, minutes, lines) -> None:
    found = sessions.session_lines(
        name="Therapeutic massage",
        price=Money.of(price, "USD"),
        minutes=minutes,
        day="10 Mar 2027",
        us=True,
    )
    assert [(line.quantity, str(line.unit.amount)) for line in found] == lines
    assert {line.code for line in found} == {"97124"}
    assert sum((line.amount for line in found), Money.zero("USD")) == Money.of(price, "USD")


def test_a_us_clinics_invoice_carries_the_code(stripe_server) -> None:
    therapist, _, _ = deposit_therapist(country="US")
    appointment = _booked_with_deposit(stripe_server, therapist)
    _started(appointment)
    attendance.mark_attendance(
        therapist_user=therapist.user, appointment_id=appointment.pk, attended=True
    )
    invoice = sessions.invoice_session(appointment_id=appointment.pk)
    assert invoice is not None
    assert list(InvoiceLine.objects.filter(invoice=invoice).values_list("code", "quantity")) == [
        ("97124", 4)
    ]


def test_a_clinic_without_a_policy_invoices_nothing(stripe_server) -> None:
    from tests.scheduling.helpers import working_therapist

    therapist, _, _ = working_therapist()
    appointment = booking.book_appointment(
        patient=bookable_patient(), therapist_id=therapist.pk, start=at(3, 10)
    )
    _started(appointment)
    attendance.mark_attendance(
        therapist_user=therapist.user, appointment_id=appointment.pk, attended=True
    )
    assert sessions.invoice_session(appointment_id=appointment.pk) is None
    assert sessions.charge_no_show(appointment_id=appointment.pk) is None


# --- The terms agreed at booking -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fee_now", "charged"),
    [("80.00", Decimal("30.00")), ("25.00", Decimal("25.00"))],  # raised later; lowered later
)
def test_a_missed_session_costs_at_most_the_fee_agreed_at_booking(
    clinic, stripe_server, fee_now, charged
) -> None:
    therapist, _, location = clinic  # £30.00 missed-session fee when booked
    appointment = _booked_with_deposit(stripe_server, therapist)
    location.clinic.payment_policy.no_show_fee = Decimal(fee_now)
    location.clinic.payment_policy.save()
    _started(appointment)
    attendance.mark_attendance(
        therapist_user=therapist.user, appointment_id=appointment.pk, attended=False
    )

    fee = sessions.charge_no_show(appointment_id=appointment.pk)

    assert fee is not None
    assert fee.invoice.total == charged


def test_a_window_widened_after_booking_does_not_make_a_cancellation_late(
    clinic, stripe_server, client
) -> None:
    therapist, _, location = clinic  # 24 hours when booked
    appointment = _booked_with_deposit(stripe_server, therapist, days=3)
    BookingPolicy.objects.update_or_create(
        clinic=location.clinic, defaults={"cancellation_window_hours": 336}
    )

    client.force_login(appointment.patient)
    page = client.get(f"/appointments/{appointment.pk}/cancel/").content.decode()
    assert "Your £10.00 deposit comes back in full." in page
    changes.cancel_appointment(user=appointment.patient, appointment_id=appointment.pk)
    appointment.refresh_from_db()
    assert not appointment.late_cancellation
    assert sessions.settle_cancellation(appointment_id=appointment.pk) is None
    assert _given_back(appointment) == Money.of("10.00", "GBP")
