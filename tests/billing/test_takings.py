"""The clinic's takings: the pure sums (by day, therapist, method; refunds against the payment's
method), the report over a range of the clinic's days, the accountant's CSV (plain decimal
amounts, no cell a spreadsheet runs), and the admin's three writes, each confirmed first:
record a payment taken at the clinic, refund a payment, waive a fee."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sciaticare.audit.models import AuditEvent
from sciaticare.billing import takings, takings_selectors
from sciaticare.billing.models import Invoice, Payment, PaymentMethod, Purpose, Refund
from sciaticare.billing.services import fees, payments, sessions
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.scheduling.services import changes
from tests.billing.books import UK, books, hold_booking, pay_by_card, pay_cash, pay_deposit
from tests.billing.factories import deposit_therapist
from tests.factories import AppointmentFactory, ClinicAdminFactory, SiteAdminFactory
from tests.scheduling.helpers import bookable_patient
from tests.stripe import StripeServer

pytestmark = pytest.mark.django_db

D1, D2 = date(2027, 3, 1), date(2027, 3, 2)


def test_takings_sum_by_day_therapist_and_method_and_refunds_count_against_their_payment():
    moved = [
        takings.Movement(D1, "Ana", "Cash", "GBP", taken=Decimal("60.00")),
        takings.Movement(D1, "Ben", "Card (online)", "GBP", taken=Decimal("30.00"), fee=True),
        takings.Movement(D2, "Ana", "Cash", "GBP", refunded=Decimal("10.00")),
        takings.Movement(D2, "", "Card (online)", "GBP", taken=Decimal("11.00")),
    ]
    found = takings.summarise(moved)
    assert [(r.currency, r.taken, r.refunded, r.net) for r in found.total] == [
        ("GBP", Decimal("101.00"), Decimal("10.00"), Decimal("91.00"))
    ]
    assert [(r.key, r.net) for r in found.by_day] == [(D1, Decimal("90.00")), (D2, Decimal("1.00"))]
    assert [(r.key, r.net) for r in found.by_therapist] == [
        ("", Decimal("11.00")),
        ("Ana", Decimal("50.00")),
        ("Ben", Decimal("30.00")),
    ]
    assert [(r.key, r.taken, r.refunded) for r in found.by_method] == [
        ("Card (online)", Decimal("41.00"), Decimal(0)),
        ("Cash", Decimal("60.00"), Decimal("10.00")),
    ]
    assert [r.taken for r in found.fees] == [Decimal("30.00")]


def test_a_day_that_gave_back_more_than_it_took_shows_its_net_below_zero():
    (row,) = takings.summarise(
        [takings.Movement(D1, "", "Cash", "EUR", refunded=Decimal("5.00"))]
    ).by_day
    assert (row.net, row.net_size) == (Decimal("-5.00"), Decimal("5.00"))


def test_currencies_are_never_added_together():
    found = takings.summarise(
        [
            takings.Movement(D1, "", "Cash", "GBP", taken=Decimal("1.00")),
            takings.Movement(D1, "", "Cash", "USD", taken=Decimal("2.00")),
        ]
    )
    assert [(r.currency, r.taken) for r in found.by_day] == [
        ("GBP", Decimal("1.00")),
        ("USD", Decimal("2.00")),
    ]


def _today() -> date:
    return timezone.localdate()


def test_the_report_counts_the_range_and_lists_what_is_owed(stripe_server: StripeServer):
    b = books(UK, price="50.00")
    cash = pay_cash(b, "20.00")
    payments.refund(payment=cash, amount=b.money("5.00"), reason="Short", by=b.admin)
    pay_by_card(stripe_server, b, "10.00")
    fee = fees.charge_fee(appointment=b.appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    report = takings_selectors.takings_of(
        viewer=b.admin, clinic_id=b.clinic.pk, start=_today() - timedelta(days=1), end=_today()
    )
    (total,) = report.takings.total
    # 20 cash + 10 card + the fee's 30 with 20 % VAT, 36, to the card on file.
    assert (total.taken, total.refunded) == (Decimal("66.00"), Decimal("5.00"))
    assert {(r.key, r.taken) for r in report.takings.by_method} == {
        ("Cash", Decimal("20.00")),
        ("Card (online)", Decimal("46.00")),
    }
    therapist = b.appointment.therapist.user.display_name
    assert [(r.key, r.net) for r in report.takings.by_therapist] == [(therapist, Decimal("61.00"))]
    assert [r.taken for r in report.takings.fees] == [Decimal("36.00")]
    assert [i for i, _ in report.fees] == [fee]
    assert [(i, f.balance) for i, f in report.outstanding] == [(b.invoice, b.money("35.00"))]
    assert AuditEvent.objects.filter(action="billing.takings.view", patient=b.patient).count() == 1
    earlier = takings_selectors.takings_of(
        viewer=b.admin,
        clinic_id=b.clinic.pk,
        start=_today() - timedelta(days=30),
        end=_today() - timedelta(days=2),
    )
    assert earlier.takings.total == []
    assert earlier.payments == []
    assert len(earlier.outstanding) == 1  # owed whenever it was issued


def test_only_the_clinics_admins_see_its_takings_and_ranges_are_checked():
    b = books(UK)
    for nobody in (
        ClinicAdminFactory(),
        SiteAdminFactory(),
        b.patient,
        b.appointment.therapist.user,
    ):
        with pytest.raises(NotFound):
            takings_selectors.takings_of(
                viewer=nobody, clinic_id=b.clinic.pk, start=_today(), end=_today()
            )
    with pytest.raises(Invalid, match="ends before"):
        takings_selectors.takings_of(
            viewer=b.admin, clinic_id=b.clinic.pk, start=_today(), end=_today() - timedelta(1)
        )
    with pytest.raises(Invalid, match="a year at most"):
        takings_selectors.takings_of(
            viewer=b.admin, clinic_id=b.clinic.pk, start=date(2026, 1, 1), end=date(2027, 1, 2)
        )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_csv_has_plain_amounts_and_no_cell_a_spreadsheet_runs():
    b = books(UK, price="50.00")
    cash = pay_cash(b, "60.00")
    payments.refund(payment=cash, amount=b.money("7.50"), reason='=HYPERLINK("x")', by=b.admin)
    today = _today().isoformat()
    response = _client(b.admin).get(
        reverse("billing:takings_csv", args=[b.clinic.pk]) + f"?start={today}&end={today}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode()[1:], newline="")))
    assert rows[0] == list(takings_selectors.CSV_HEADER)
    patient = b.patient.display_name
    assert [r[1:] for r in rows[1:]] == [
        [
            "payment",
            b.invoice.number,
            patient,
            b.appointment.therapist.user.display_name,
            "Session",
            "Cash",
            "60.00",
            "GBP",
            "",
        ],
        [
            "refund",
            b.invoice.number,
            patient,
            b.appointment.therapist.user.display_name,
            "Session",
            "Cash",
            "7.50",
            "GBP",
            '\'=HYPERLINK("x")',
        ],
    ]
    assert AuditEvent.objects.filter(action="billing.takings.export", patient=b.patient).exists()


def test_a_bad_range_is_a_400_not_a_500():
    b = books(UK)
    client = _client(b.admin)
    page = reverse("billing:takings", args=[b.clinic.pk])
    for query in (
        "?start=2027-02-30&end=2027-03-01",
        "?start=9999-12-31&end=9999-12-31",
        "?start=2027-03-02&end=2027-03-01",
        "?start=2026-01-01&end=2027-01-02",
    ):
        assert client.get(page + query).status_code == 400, query
        csv_url = reverse("billing:takings_csv", args=[b.clinic.pk]) + query
        assert client.get(csv_url).status_code == 400, query


def test_an_admin_records_a_cash_payment_after_confirming_it():
    b = books(UK, price="50.00")
    client = _client(b.admin)
    url = reverse("billing:record_payment", args=[b.invoice.pk])
    assert client.get(url).status_code == 200
    too_much = client.post(url, {"amount": "60.01", "method": "cash"})
    assert too_much.status_code == 400
    assert "At most 60.00 GBP is owed." in too_much.content.decode()
    asked = client.post(url, {"amount": "60.00", "method": "cash"})
    assert asked.status_code == 200
    assert "Record £60.00 against" in asked.content.decode()
    assert not Payment.objects.exists()  # nothing until confirmed
    done = client.post(url, {"amount": "60.00", "method": "cash", "confirm": "yes"})
    assert done.status_code == 302
    (payment,) = Payment.objects.all()
    assert (payment.method, payment.amount, payment.recorded_by) == (
        PaymentMethod.CASH,
        Decimal("60.00"),
        b.admin,
    )
    # Paid now: nothing left to record against.
    assert client.get(url).status_code == 404


def test_an_admin_refunds_a_payment_with_a_reason_after_confirming_it():
    b = books(UK, price="50.00")
    cash = pay_cash(b, "60.00")
    client = _client(b.admin)
    url = reverse("billing:refund", args=[cash.pk])
    assert client.post(url, {"amount": "10.00", "reason": ""}).status_code == 400
    asked = client.post(url, {"amount": "10.00", "reason": "Session cut short"})
    assert asked.status_code == 200
    # Said before confirming: the invoice is owed again (a refund is not a discount).
    assert f"Invoice {b.invoice.number} will show £10.00 owed again" in asked.content.decode()
    assert not Refund.objects.exists()
    done = client.post(url, {"amount": "10.00", "reason": "Session cut short", "confirm": "yes"})
    assert done["Location"] == reverse("billing:invoice", args=[b.invoice.pk])
    (refund,) = Refund.objects.all()
    assert (refund.amount, refund.reason, refund.created_by) == (
        Decimal("10.00"),
        "Session cut short",
        b.admin,
    )
    over = client.post(url, {"amount": "50.01", "reason": "x", "confirm": "yes"})
    assert over.status_code == 400
    assert "At most 50.00 GBP is left to give back." in over.content.decode()


def test_an_admin_waives_a_fee_after_confirming_it(stripe_server: StripeServer):
    b = books(UK, price="50.00")
    pay_by_card(stripe_server, b, "60.00")
    fee = fees.charge_fee(appointment=b.appointment, purpose=Purpose.NO_SHOW_FEE, by=None)
    assert fee is not None
    client = _client(b.admin)
    url = reverse("billing:waive", args=[fee.pk])
    assert client.post(url, {"reason": "Hospital visit"}).status_code == 200
    assert not Invoice.objects.filter(credits=fee).exists()
    done = client.post(url, {"reason": "Hospital visit", "confirm": "yes"})
    assert done.status_code == 302
    note = Invoice.objects.get(credits=fee)
    assert note.reason == "Hospital visit"
    assert client.get(url).status_code == 404  # credited: nothing left to waive
    # A session is not a fee.
    assert client.get(reverse("billing:waive", args=[b.invoice.pk])).status_code == 404


def test_other_clinics_admins_act_on_nothing():
    b = books(UK)
    cash = pay_cash(b, "10.00")
    stranger = _client(ClinicAdminFactory())
    for url in (
        reverse("billing:record_payment", args=[b.invoice.pk]),
        reverse("billing:refund", args=[cash.pk]),
        reverse("billing:waive", args=[b.invoice.pk]),
        reverse("billing:takings", args=[b.clinic.pk]),
        reverse("billing:takings_csv", args=[b.clinic.pk]),
    ):
        assert stranger.get(url).status_code == 404, url
        assert stranger.post(url, {"amount": "1", "reason": "x", "confirm": "yes"}).status_code in (
            404,
            405,
        )
    assert Payment.objects.count() == 1
    assert not Refund.objects.exists()


def test_the_takings_page_and_the_payments_page_show_what_they_should(stripe_server: StripeServer):
    b = books(UK, price="50.00")
    pay_by_card(stripe_server, b, "20.00")
    other = AppointmentFactory()  # another clinic's patient: never on this clinic's pages
    page = _client(b.admin).get(reverse("billing:takings", args=[b.clinic.pk])).content.decode()
    assert b.invoice.number in page
    assert b.patient.display_name in page
    assert other.patient.display_name not in page
    mine = _client(b.patient).get(reverse("billing:payments")).content.decode()
    assert "You owe £40.00." in mine
    assert b.invoice.number in mine
    assert "Card (online)" in mine
    home = _client(b.admin).get(reverse("billing:takings_home"))
    assert home["Location"] == reverse("billing:takings", args=[b.clinic.pk])


def test_a_fee_kept_from_a_deposit_and_waived_counts_as_fee_money_given_back(
    stripe_server: StripeServer,
) -> None:
    """The outside test's range: a late fee taken from the deposit, then given back; the fees
    section said "Nothing in this range" (the deposit is a session's payment, its invoice the
    fee's), and the deposit, refunded in full, still offered "Refund" (a 404)."""
    therapist, _, location = deposit_therapist(late_cancel_fee=Decimal("8.00"))
    admin = ClinicAdminFactory()
    location.clinic.admins.add(admin)
    appointment = hold_booking(bookable_patient(), therapist, 3)
    deposit = pay_deposit(stripe_server, appointment, "4242424242424242")  # £10.00
    changes.cancel_appointment(
        user=appointment.patient,
        appointment_id=appointment.pk,
        now=appointment.start - timedelta(hours=3),
    )
    fee = sessions.settle_cancellation(appointment_id=appointment.pk)  # £2.00 back
    assert fee is not None
    fees.waive(invoice=fee, reason="First time", by=admin)  # the £8.00 back too

    today = timezone.localdate()
    report = takings_selectors.takings_of(
        viewer=admin, clinic_id=location.clinic.pk, start=today, end=today
    )
    (row,) = report.takings.fees
    assert (row.taken, row.refunded) == (Decimal("10.00"), Decimal("10.00"))

    page = _client(admin).get(reverse("billing:takings", args=[location.clinic.pk]))
    html = page.content.decode()
    assert reverse("billing:refund", args=[deposit.pk]) not in html
    assert "<td>Refunded</td>" in html
    assert "Not for a session" not in html.split('id="day-title"')[0]
    assert "All payments and refunds" in html
    assert "All fees" in html


def test_the_admin_is_offered_the_patients_insurer_document_not_their_own() -> None:
    b = books(UK, price="50.00")
    pay_cash(b, "60.00")
    url = reverse("billing:invoice", args=[b.invoice.pk])
    assert (
        "Itemised receipt for the patient's insurer" in _client(b.admin).get(url).content.decode()
    )
    assert "Itemised receipt for your insurer" in _client(b.patient).get(url).content.decode()


def test_the_refund_forms_error_sits_under_its_own_field() -> None:
    b = books(UK, price="50.00")
    cash = pay_cash(b, "20.00")
    page = _client(b.admin).post(reverse("billing:refund", args=[cash.pk]), {"amount": "5"})
    html = page.content.decode()
    assert page.status_code == 400
    # The message comes after the reason's own label and input, not between amount and reason.
    reason_at = html.index('for="id_reason"')
    error_at = html.index("This field is required.")
    assert error_at > reason_at
    assert html.index('name="reason"') < error_at
