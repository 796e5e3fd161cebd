"""The invoices API: each caller's own list (a therapist the status only), filtered by status
and paginated; one invoice with its lines, tax, payments, refunds and balance, amounts as
decimal text with their currency; its PDF; someone else's invoice a 404 like a missing one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sciaticare.billing.services import payments
from tests.billing.books import UK, books, pay_cash
from tests.factories import ClinicAdminFactory, PatientFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_is_the_callers_own_with_amounts_as_decimal_text():
    b = books(UK, price="50.00")
    pay_cash(b, "60.00")
    body = _client(b.patient).get("/api/v1/invoices").json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item == {
        "id": b.invoice.pk,
        "number": b.invoice.number,
        "kind": "invoice",
        "purpose": "session",
        "status": "paid",
        "issued_at": b.invoice.issued_at.isoformat(),
        "clinic": b.clinic.name,
        "patient_name": b.invoice.buyer_name,
        "appointment": b.appointment.pk,
        "total": {"amount": "60.00", "currency": "GBP"},
        "balance": {"amount": "0.00", "currency": "GBP"},
    }
    assert _client(PatientFactory()).get("/api/v1/invoices").json()["items"] == []
    assert _client(ClinicAdminFactory()).get("/api/v1/invoices").json()["count"] == 0


def test_a_therapist_sees_the_status_of_their_sessions_invoices_and_no_amounts():
    b = books(UK)
    (item,) = _client(b.appointment.therapist.user).get("/api/v1/invoices").json()["items"]
    assert (item["status"], item["total"], item["balance"]) == ("open", None, None)
    detail = _client(b.appointment.therapist.user).get(f"/api/v1/invoices/{b.invoice.pk}")
    assert detail.status_code == 404


def test_status_filters_and_pages():
    b = books(UK)
    client = _client(b.admin)
    assert client.get("/api/v1/invoices?status=open").json()["count"] == 1
    assert client.get("/api/v1/invoices?status=paid").json()["count"] == 0
    assert client.get("/api/v1/invoices?status=lost").status_code == 422
    assert client.get("/api/v1/invoices?page=2&page_size=1").json()["items"] == []
    assert client.get("/api/v1/invoices?page_size=101").status_code == 422


def test_one_invoice_with_lines_tax_payments_refunds_and_balance():
    b = books(UK, price="50.00")
    cash = pay_cash(b, "40.00")
    refund = payments.refund(payment=cash, amount=b.money("5.00"), reason="Ran short", by=b.admin)
    body = _client(b.admin).get(f"/api/v1/invoices/{b.invoice.pk}").json()
    assert body["subtotal"] == {"amount": "50.00", "currency": "GBP"}
    assert (body["tax_percent"], body["tax"]["amount"], body["total"]["amount"]) == (
        "20.00",
        "10.00",
        "60.00",
    )
    assert body["lines"] == [
        {
            "description": "Sciatica relief massage, 60 min",
            "code": "",
            "quantity": 1,
            "unit_amount": {"amount": "50.00", "currency": "GBP"},
            "amount": {"amount": "50.00", "currency": "GBP"},
        }
    ]
    (payment,) = body["payments"]
    assert (payment["id"], payment["method"], payment["amount"]["amount"]) == (
        cash.pk,
        "cash",
        "40.00",
    )
    assert payment["refunds"] == [
        {
            "id": refund.pk,
            "amount": {"amount": "5.00", "currency": "GBP"},
            "reason": "Ran short",
            "status": "succeeded",
            "created_at": refund.created_at.isoformat(),
        }
    ]
    assert (body["paid"]["amount"], body["balance"]["amount"], body["status"]) == (
        "35.00",
        "25.00",
        "open",
    )


def test_someone_elses_invoice_is_a_404_like_a_missing_one():
    b = books(UK)
    stranger = _client(PatientFactory())
    for suffix in ("", ".pdf"):
        mine = stranger.get(f"/api/v1/invoices/{b.invoice.pk}{suffix}")
        missing = stranger.get(f"/api/v1/invoices/{b.invoice.pk + 999}{suffix}")
        assert (mine.status_code, missing.status_code) == (404, 404)
        assert mine.json() == missing.json()


def test_the_pdf_route_sends_the_pdf_and_is_not_taken_for_an_id():
    b = books(UK)
    response = _client(b.patient).get(f"/api/v1/invoices/{b.invoice.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert _client(b.patient).get("/api/v1/invoices/x.pdf").status_code == 422
