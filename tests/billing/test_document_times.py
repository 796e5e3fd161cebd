"""Invoices, receipts and their mails tell times by the session's clock, as the pages do: a
Boston session at 15:05 EDT is "30 October 2026, 15:05 EDT", never "19:05 UTC"; days are written
one way ("30 October 2026") in lines, tables and mails; and the insurer's itemised receipt says a
session's length once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from sciaticare.billing import document_selectors as documents
from sciaticare.billing import invoice_selectors as sel
from sciaticare.billing import pdf, tasks
from sciaticare.billing.models import InvoiceLine, Payment
from sciaticare.billing.services import sessions
from sciaticare.billing.terms import day_said
from sciaticare.directory.models import Location
from sciaticare.scheduling.models import Appointment
from tests.billing.books import UK, US, Books, books, past_session, pay_cash
from tests.billing.factories import policy_for
from tests.billing.test_documents import text_of
from tests.factories import ClinicAdminFactory
from tests.mail import Inbox

pytestmark = pytest.mark.django_db

# 15:05 in Boston on a Friday in October (EDT, UTC−4): 19:05 UTC.
BOSTON_START = datetime(2026, 10, 30, 19, 5, tzinfo=UTC)


def _in_boston(appointment: Appointment, start: datetime = BOSTON_START) -> None:
    Location.objects.filter(pk=appointment.location_id).update(time_zone="America/New_York")
    Appointment.objects.filter(pk=appointment.pk).update(
        start=start, end=start + timedelta(hours=1), busy_until=start + timedelta(hours=1)
    )
    appointment.refresh_from_db()
    appointment.location.refresh_from_db()


def _paid_in_boston(b: Books) -> Payment:
    _in_boston(b.appointment)
    payment = pay_cash(b, "90.00")
    Payment.objects.filter(pk=payment.pk).update(succeeded_at=BOSTON_START)
    payment.refresh_from_db()
    return payment


def test_day_said():
    assert day_said(date(2026, 12, 1)) == "1 December 2026"


def test_the_receipt_and_invoice_pdfs_tell_the_sessions_time(tmp_path: Path) -> None:
    b = books(US)
    payment = _paid_in_boston(b)

    receipt = text_of(
        pdf.receipt_pdf(sel.receipt_for(viewer=b.patient, payment_id=payment.pk)), tmp_path
    )
    invoice = text_of(
        pdf.invoice_pdf(sel.invoice_for(viewer=b.patient, invoice_id=b.invoice.pk)), tmp_path
    )

    assert "Date: 30 October 2026, 15:05 EDT" in receipt
    assert "session of 30 October 2026" in receipt
    assert "Session: 30 October 2026, 15:05 EDT" in invoice
    for text in (receipt, invoice):
        assert "UTC" not in text
        assert "Oct 2026" not in text  # one way of writing a day


def test_the_receipt_mail_tells_the_sessions_time(smtp: Inbox) -> None:
    b = books(US)
    payment = _paid_in_boston(b)

    tasks.send_receipt.enqueue(payment.pk)

    body = smtp.to(b.patient.email)[-1].get_content()
    assert "Date: 30 October 2026, 15:05 EDT" in body
    assert "UTC" not in body


def test_a_sessions_invoice_line_has_its_local_day_written_out() -> None:
    appointment = past_session()
    policy_for(appointment, **UK)  # the session type's pounds; the clock is Boston's
    # 22:30 in Boston on 30 October is already 31 October in UTC.
    _in_boston(appointment, datetime(2026, 10, 31, 2, 30, tzinfo=UTC))

    invoice = sessions.invoice_session(appointment_id=appointment.pk)

    assert invoice is not None
    descriptions = set(
        InvoiceLine.objects.filter(invoice=invoice).values_list("description", flat=True)
    )
    assert descriptions == {f"{appointment.session_type.name}, 60 minutes, 30 October 2026"}


def test_the_itemised_receipt_says_the_length_once(tmp_path: Path) -> None:
    appointment = past_session()
    policy_for(appointment, **UK)
    invoice = sessions.invoice_session(appointment_id=appointment.pk)
    assert invoice is not None
    pay_cash(Books(appointment, ClinicAdminFactory(), invoice), str(invoice.total))

    document = documents.insurer_document(viewer=appointment.patient, invoice_id=invoice.pk)
    assert text_of(pdf.insurer_pdf(document), tmp_path).startswith("Itemised receipt")
    # The HTML it is made from (the PDF's table wraps its cells).
    html = render_to_string("billing/pdf/itemised_receipt.html", {"doc": document})

    assert html.count("60 minutes") == 1
    assert "(60 minutes)" not in html
