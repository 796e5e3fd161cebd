"""Findings of the outside attack on billing (2026-12-05), each now fixed and kept here as the
test that failed while it was open: a credit note counted as owed (A1), a NUL in the policy
(A2), a refund the processor did not answer (A3), fees charged by terms changed after booking
(A4), and the admin's refund step read without an audit event (A5)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from sciaticare.accounts.services import create_api_token
from sciaticare.audit.models import AuditEvent
from sciaticare.billing import invoice_selectors as sel
from sciaticare.billing.models import Invoice, Payment, PaymentPolicy, Purpose
from sciaticare.billing.services import cards, deposits, invoices, payments, sessions
from sciaticare.core.errors import DomainError
from sciaticare.scheduling.models import AppointmentStatus
from sciaticare.scheduling.services import booking, changes
from sciaticare.scheduling.services.policy import set_cancellation_window
from tests.billing.books import UK, books, pay_by_card, pay_cash
from tests.billing.factories import deposit_therapist
from tests.factories import ClinicAdminFactory
from tests.scheduling.helpers import at, bookable_patient
from tests.stripe import CARD, StripeServer

pytestmark = pytest.mark.django_db


def test_a_credit_note_owes_nothing_and_the_statement_does_not_count_it() -> None:
    b = books(UK, price="50.00")  # 60.00 with VAT
    fee = invoices.issue(
        clinic=b.clinic,
        patient=b.patient,
        purpose=Purpose.NO_SHOW_FEE,
        lines=[invoices.Line("Missed session fee", b.money("30.00"))],
        by=b.admin,
    )
    note = invoices.credit(invoice=fee, reason="Waived", by=b.admin)
    pay_cash(b, "60.00")  # the session is paid: nothing at all is owed

    assert sel.figures_of(sel.with_sums(Invoice.objects.filter(pk=note.pk)).get()).balance == (
        b.money("0.00")
    )
    (statement,) = sel.statement_of(patient=b.patient)
    assert statement.owed == []  # today: [£36.00], the credit note's total


@pytest.mark.parametrize("field", ["legal_name", "address", "tax_number"])
def test_a_nul_character_in_the_policy_is_a_422(client: Any, field: str) -> None:
    _, _, location = deposit_therapist()
    admin = ClinicAdminFactory()
    location.clinic.admins.add(admin)
    _, raw = create_api_token(user=admin, name="attack")
    client.raise_request_exception = False
    answer = client.put(
        f"/api/v1/clinics/{location.clinic.pk}/payment-policy",
        data=json.dumps({field: "Riverside\u0000 Ltd"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 422


def test_a_refund_the_processor_does_not_answer_is_refused_and_can_be_tried_again(
    stripe_server: StripeServer,
) -> None:
    b = books(UK, price="50.00")
    paid = pay_by_card(stripe_server, b, "60.00")
    down = override_settings(STRIPE_API_BASE="http://127.0.0.1:9")  # the processor is down
    with down, pytest.raises(DomainError):
        payments.refund(payment=paid, amount=b.money("60.00"), reason="Goodwill", by=b.admin)
    assert payments.refunded(paid) == b.money("0.00")  # nothing went back: it can be retried


def test_a_cancellation_is_charged_by_the_terms_the_patient_booked_under(
    stripe_server: StripeServer,
) -> None:
    therapist, _, location = deposit_therapist()  # 24 h window, £20.00 late fee
    held = booking.book_appointment(
        patient=bookable_patient(), therapist_id=therapist.pk, start=at(5, 10)
    )
    deposit = Payment.objects.get(appointment=held)
    setup = cards.start_setup(patient=deposit.patient, clinic=deposit.clinic)
    stripe_server.save_card(setup.client_secret, CARD)
    deposits.pay_with_new_card(payment=deposit, setup_intent=setup.id)
    held.refresh_from_db()
    assert held.status == AppointmentStatus.BOOKED

    # After the booking, the clinic's admin widens the window to two weeks and raises the fee.
    admin = ClinicAdminFactory()
    location.clinic.admins.add(admin)
    PaymentPolicy.objects.filter(clinic=location.clinic).update(late_cancel_fee=Decimal("500.00"))
    set_cancellation_window(clinic=location.clinic, hours=336, by=admin)

    # Five days ahead: in time by the terms shown at booking (24 h).
    changes.cancel_appointment(
        user=held.patient, appointment_id=held.pk, now=held.start - timedelta(days=4)
    )
    assert sessions.settle_cancellation(appointment_id=held.pk) is None  # today: a £500 fee


def test_the_admins_refund_page_is_an_audited_read(client: Any) -> None:
    b = books(UK, price="50.00")
    cash = pay_cash(b, "60.00")
    client.force_login(b.admin)
    before = AuditEvent.objects.filter(actor=b.admin, patient=b.patient).count()
    assert client.get(f"/billing/payments/{cash.pk}/refund/").status_code == 200
    assert AuditEvent.objects.filter(actor=b.admin, patient=b.patient).count() > before
