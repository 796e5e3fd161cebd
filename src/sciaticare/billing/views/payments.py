"""The patient's Payments page, an invoice or credit note opened, and the PDFs: the invoice, a
payment's receipt, and a paid session's superbill (US) or itemised receipt (UK).

Thin: `invoice_selectors` checks who may read what (the patient their own; an admin of the
clinic the clinic's) and audits it; anyone else gets the same 404 as a missing invoice.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing import document_selectors, invoice_selectors, pdf
from sciaticare.billing.invoice_selectors import admin_clinic_ids
from sciaticare.billing.services.payments import left_to_refund
from sciaticare.core.errors import NotFound


@login_required
@require_GET
def payments(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.PATIENT):
        raise Http404  # like every other billing page someone has no claim on
    statements = invoice_selectors.statement_of(patient=request.user)
    return render(request, "billing/payments.html", {"statements": statements})


@login_required
@require_GET
def invoice(request: AuthedRequest, invoice_id: int) -> HttpResponse:
    try:
        detail = invoice_selectors.invoice_for(viewer=request.user, invoice_id=invoice_id)
    except NotFound:
        raise Http404 from None
    as_admin = detail.invoice.clinic_id in admin_clinic_ids(request.user)
    # Each payment with what is left of it to give back: the admin's "Refund" link.
    rows = [
        (p, left_to_refund(p).amount if as_admin and p in detail.succeeded else None)
        for p in detail.payments
    ]
    return render(
        request, "billing/invoice.html", {"d": detail, "as_admin": as_admin, "payment_rows": rows}
    )


@login_required
@require_GET
def invoice_pdf(request: AuthedRequest, invoice_id: int) -> HttpResponse:
    try:
        detail = invoice_selectors.invoice_for(viewer=request.user, invoice_id=invoice_id)
    except NotFound:
        raise Http404 from None
    return pdf.pdf_response(pdf.invoice_pdf(detail), f"{detail.invoice.number}.pdf")


@login_required
@require_GET
def receipt_pdf(request: AuthedRequest, payment_id: int) -> HttpResponse:
    try:
        receipt = invoice_selectors.receipt_for(viewer=request.user, payment_id=payment_id)
    except NotFound:
        raise Http404 from None
    return pdf.pdf_response(pdf.receipt_pdf(receipt), f"receipt-{receipt.number}.pdf")


@login_required
@require_GET
def insurer_pdf(request: AuthedRequest, invoice_id: int) -> HttpResponse:
    try:
        document = document_selectors.insurer_document(viewer=request.user, invoice_id=invoice_id)
    except NotFound:
        raise Http404 from None
    name = document.kind.replace("_", "-")
    return pdf.pdf_response(
        pdf.insurer_pdf(document), f"{name}-{document.detail.invoice.number}.pdf"
    )
