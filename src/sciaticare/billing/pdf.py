"""Billing's PDFs: an invoice or credit note, a payment's receipt, and a paid session's document
for an insurer (a US superbill, a UK itemised receipt), rendered from `billing/pdf/*.html`
through `core.pdf` (nothing fetched). The caller has read them through `invoice_selectors`,
which checked who asks and audited it; the pages and the API send them alike. Times are told
by the session's location's clock (`document_selectors.document_zone`), as the pages tell them,
and days as "1 December 2026" (a superbill's US insurer dates aside)."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from sciaticare.billing.document_selectors import InsurerDocument, document_zone
from sciaticare.billing.invoice_selectors import InvoiceDetail, Receipt
from sciaticare.core.pdf import pdf_from_html


def invoice_pdf(detail: InvoiceDetail) -> bytes:
    invoice = detail.invoice
    with timezone.override(document_zone(clinic=invoice.clinic, appointment=invoice.appointment)):
        html = render_to_string("billing/pdf/invoice.html", {"d": detail, "now": timezone.now()})
    return pdf_from_html(html)


def receipt_pdf(receipt: Receipt) -> bytes:
    payment = receipt.payment
    with timezone.override(document_zone(clinic=payment.clinic, appointment=payment.appointment)):
        html = render_to_string("billing/pdf/receipt.html", {"r": receipt})
    return pdf_from_html(html)


def insurer_pdf(document: InsurerDocument) -> bytes:
    invoice = document.detail.invoice
    with timezone.override(document_zone(clinic=invoice.clinic, appointment=invoice.appointment)):
        html = render_to_string(f"billing/pdf/{document.kind}.html", {"doc": document})
    return pdf_from_html(html)


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF to download, never kept by a cache on the way (it names a patient)."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
