"""The PDFs, read back as text (pdftotext): an invoice with its lines, tax, payments, refunds
and balance; a receipt; a US superbill with its codes and identifiers; a UK itemised receipt.
Nothing clinical beyond the superbill's codes, never a session note; and the receipt mailed
once when a payment goes through."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sciaticare.billing import document_selectors as documents
from sciaticare.billing import invoice_selectors as sel
from sciaticare.billing import pdf
from sciaticare.billing.services import payments
from sciaticare.outcomes.models import ProgressReport
from sciaticare.records import services as records
from tests.billing.books import UK, US, Books, books, pay_by_card, pay_cash
from tests.mail import Inbox
from tests.stripe import CARD_DECLINED_ON_CHARGE, StripeServer

pytestmark = pytest.mark.django_db

NOTE = "Zebra-striped trigger point behind the left knee"


def text_of(content: bytes, tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext is not installed (poppler-utils)")
    assert content.startswith(b"%PDF-")
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    out = subprocess.run(  # noqa: S603 -- fixed arguments, our own temp file
        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return " ".join(out.stdout.split())


def _download(who: Any, url: str) -> Any:
    client = Client()
    client.force_login(who)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def _signed_note(b: Books) -> None:
    """A session note with words no money document may carry."""
    user = b.appointment.therapist.user
    records.start_note(therapist_user=user, appointment_id=b.appointment.pk)
    records.save_draft(
        therapist_user=user,
        appointment_id=b.appointment.pk,
        values={"subjective": NOTE, "assessment": NOTE, "regions": ["left_calf"]},
    )
    records.sign_note(therapist_user=user, appointment_id=b.appointment.pk)


def test_the_invoice_pdf_has_lines_tax_payments_refunds_and_balance(tmp_path: Path) -> None:
    b = books(UK, price="50.00")
    cash = pay_cash(b, "40.00")
    payments.refund(payment=cash, amount=b.money("5.00"), reason="Ran short", by=b.admin)
    text = text_of(
        _download(b.patient, reverse("billing:invoice_pdf", args=[b.invoice.pk])), tmp_path
    )
    for part in [
        f"Invoice {b.invoice.number}",
        "Riverside Massage Ltd",
        "1 River Street",
        "GB123456789",
        b.invoice.buyer_name,
        "Sciatica relief massage, 60 min",
        "Subtotal £50.00",
        "Tax (20 %) £10.00",
        "Total £60.00",
        "Cash",
        "£40.00",
        "Refund: Ran short",
        "Paid £35.00",
        "Balance owed £25.00",
    ]:
        assert part in text, part


def test_the_receipt_pdf_says_what_was_paid_for_and_how(tmp_path: Path) -> None:
    b = books(UK, price="50.00")
    cash = pay_cash(b, "60.00")
    text = text_of(_download(b.admin, reverse("billing:receipt_pdf", args=[cash.pk])), tmp_path)
    for part in [
        f"Receipt R{cash.pk:06d}",
        "Riverside Massage Ltd",
        f"Received from: {b.patient.display_name}",
        "Amount received £60.00",
        "For Session",
        f"Invoice {b.invoice.number}",
        "Paid by Cash",
    ]:
        assert part in text, part


def test_the_superbill_carries_the_codes_and_identifiers_and_nothing_else_clinical(
    tmp_path: Path,
) -> None:
    b = books(US, price="90.00", regions=["right_calf"])
    _signed_note(b)
    ProgressReport.objects.create(
        patient=b.patient, requested_by=b.patient, date_of_birth="1971-04-09"
    )
    pay_cash(b, "90.00")
    licence = documents.insurer_document(viewer=b.patient, invoice_id=b.invoice.pk).licence
    assert licence is not None
    url = reverse("billing:insurer_pdf", args=[b.invoice.pk])
    text = text_of(_download(b.patient, url), tmp_path)
    day = b.appointment.start.strftime("%m/%d/%Y")
    for part in [
        "Superbill",
        "Riverside Massage LLC",
        "12 Main Street",
        "NPI 1234567893",
        "Tax ID 12-3456789",
        f"Rendering provider {b.appointment.therapist.user.display_name}",
        licence.number,
        b.invoice.buyer_name,
        "Date of birth 04/09/1971",
        f"{day} 97124",
        "Therapeutic massage, 60",  # the table wraps "minutes"
        "M54.31",
        "Total charged $90.00",
        "Amount paid $90.00",
        "Balance $0.00",
    ]:
        assert part in text, part
    assert NOTE not in text
    assert "Zebra" not in text


def test_the_itemised_receipt_names_the_provider_number_treatment_dates_and_amounts(
    tmp_path: Path,
) -> None:
    b = books(UK, price="50.00")
    _signed_note(b)
    pay_cash(b, "60.00")
    url = reverse("billing:insurer_pdf", args=[b.invoice.pk])
    text = text_of(_download(b.admin, url), tmp_path)
    for part in [
        "Itemised receipt",
        "Provider number BUPA-77421",
        "Sciatica relief massage",  # the line (it says the length: no "(60 minutes)" added)
        b.appointment.start.strftime("%-d %b"),
        "VAT (20 %) £10.00",
        "Total charged £60.00",
        "Paid £60.00",
    ]:
        assert part in text, part
    assert "M54" not in text
    assert "97124" not in text
    assert "Zebra" not in text


def test_a_credit_note_pdf_says_what_it_corrects_and_why(tmp_path: Path) -> None:
    from sciaticare.billing.services import invoices

    b = books(UK, price="50.00")
    note = invoices.credit(invoice=b.invoice, reason="Booked twice by mistake", by=b.admin)
    detail = sel.invoice_for(viewer=b.patient, invoice_id=note.pk)
    text = text_of(pdf.invoice_pdf(detail), tmp_path)
    for part in [
        f"Credit note {note.number}",
        f"Corrects invoice {b.invoice.number}",
        "Reason: Booked twice by mistake",
        "Total £60.00",
    ]:
        assert part in text, part


def test_a_card_payment_mails_one_receipt(
    smtp: Inbox, stripe_server: StripeServer, django_capture_on_commit_callbacks: Any
) -> None:
    b = books(UK, price="50.00")
    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_by_card(stripe_server, b, "60.00")
        payments.take(payment=payment, present=True)  # a retry: recorded once, mailed once
        payments.finish(payment=payment)
    (message,) = smtp.to(b.patient.email)
    assert message["Subject"] == "Receipt: £60.00 paid to Riverside Massage Ltd"
    body = message.get_content()
    assert f"Receipt: R{payment.pk:06d}" in body
    assert "Paid by: Card (online)" in body
    assert "/billing/payments/" in body
    assert "4242" not in body  # no card details


def test_a_payment_taken_at_the_clinic_mails_a_receipt_and_a_declined_card_none(
    smtp: Inbox, stripe_server: StripeServer, django_capture_on_commit_callbacks: Any
) -> None:
    b = books(UK, price="50.00")
    with django_capture_on_commit_callbacks(execute=True):
        declined = pay_by_card(stripe_server, b, "60.00", CARD_DECLINED_ON_CHARGE)
    assert declined.status == "failed"
    assert smtp.to(b.patient.email) == []
    with django_capture_on_commit_callbacks(execute=True):
        pay_cash(b, "60.00")
    assert smtp.subjects(b.patient.email) == ["Receipt: £60.00 paid to Riverside Massage Ltd"]
