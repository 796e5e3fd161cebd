"""Billing API: the caller's invoices and credit notes (a patient their own, a therapist the
status of their sessions' invoices, a clinic admin their clinic's), one opened, and its PDF.

Amounts are `{"amount": "55.00", "currency": "GBP"}`: decimal text of major units, never a
number a JSON reader could turn into a float. Someone else's invoice is a 404, the same as a
missing one. Reads of another person's invoices are audited (`invoice_selectors`).
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing import invoice_selectors, pdf
from sciaticare.billing.invoice_selectors import Figures, InvoiceState
from sciaticare.billing.models import Invoice, Payment, Refund
from sciaticare.billing.money import Money
from sciaticare.core.bounds import MAX_PAGE, ApiId
from sciaticare.core.schemas import Body, OffsetDatetime, Problem

router = Router(tags=["billing"])

MAX_PAGE_SIZE = 100


class AmountOut(Body):
    amount: str = Field(description="Decimal text of major units, e.g. '55.00'.")
    currency: str = Field(description="ISO 4217, e.g. 'GBP'.")

    @staticmethod
    def of(money: Money) -> AmountOut:
        return AmountOut(**money.as_json())


class InvoiceSummaryOut(Body):
    id: int
    number: str
    kind: Literal["invoice", "credit_note"]
    purpose: Literal["session", "late_cancel_fee", "no_show_fee"]
    status: Literal["open", "paid", "credited"] | None = Field(
        description="open: something is owed; paid: nothing is; credited: credit notes took it "
        "all off. null for a credit note."
    )
    issued_at: OffsetDatetime
    clinic: str
    patient_name: str
    appointment: int | None = Field(description="The session it is for, if any.")
    total: AmountOut | None = Field(description="null where the caller sees the status only.")
    balance: AmountOut | None = Field(description="Still owed; null as `total` is.")


class InvoicePageOut(Body):
    items: list[InvoiceSummaryOut]
    count: int
    page: int
    page_size: int


class InvoicesQuery(Schema):
    status: Literal["open", "paid", "credited"] | None = Field(
        None, description="Only invoices in this state (credit notes have none)."
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def _summary(invoice: Invoice, figures: Figures, *, full: bool) -> InvoiceSummaryOut:
    return InvoiceSummaryOut(
        id=invoice.pk,
        number=invoice.number,
        kind=invoice.kind,  # type: ignore[arg-type]
        purpose=invoice.purpose,  # type: ignore[arg-type]
        status=figures.state.value if figures.state else None,
        issued_at=invoice.issued_at,
        clinic=invoice.clinic.name,
        patient_name=invoice.buyer_name,
        appointment=invoice.appointment_id,
        total=AmountOut.of(figures.total) if full else None,
        balance=AmountOut.of(figures.balance) if full else None,
    )


@router.get(
    "/invoices",
    response={200: InvoicePageOut},
    summary="Your invoices and credit notes",
    description=(
        "Newest first, paginated. A patient gets their own; a clinic admin their clinic's; a "
        "therapist the invoices of their own sessions, status only (`total` and `balance` "
        "null). A person with several roles gets the union."
    ),
)
def list_invoices(request: AuthedRequest, query: Query[InvoicesQuery]) -> InvoicePageOut:
    listed, count = invoice_selectors.invoices_for(
        viewer=request.user,
        state=InvoiceState(query.status) if query.status else None,
        page=query.page,
        page_size=query.page_size,
    )
    return InvoicePageOut(
        items=[_summary(i.invoice, i.figures, full=i.full) for i in listed],
        count=count,
        page=query.page,
        page_size=query.page_size,
    )


class LineOut(Body):
    description: str
    code: str
    quantity: int
    unit_amount: AmountOut
    amount: AmountOut


class RefundOut(Body):
    id: int
    amount: AmountOut
    reason: str
    status: Literal["pending", "requires_action", "succeeded", "failed"]
    created_at: OffsetDatetime


class PaymentOut(Body):
    id: int
    amount: AmountOut
    method: Literal["card_online", "card_terminal", "cash", "other"]
    status: Literal["pending", "requires_action", "succeeded", "failed"]
    created_at: OffsetDatetime
    succeeded_at: OffsetDatetime | None
    refunds: list[RefundOut]


class InvoiceOut(InvoiceSummaryOut):
    subtotal: AmountOut
    tax_percent: str = Field(description="e.g. '20.00'.")
    tax: AmountOut
    paid: AmountOut = Field(description="Paid and kept: payments less their refunds.")
    credited: AmountOut = Field(description="Taken off by credit notes, tax included.")
    reason: str = Field(description="Why a credit note was issued; empty for an invoice.")
    credits: int | None = Field(description="For a credit note: the invoice it corrects.")
    credit_notes: list[int]
    lines: list[LineOut]
    payments: list[PaymentOut]


def _money(amount: object, currency: str) -> AmountOut:
    return AmountOut.of(Money.of(amount, currency))  # type: ignore[arg-type]


def _refund(refund: Refund, currency: str) -> RefundOut:
    return RefundOut(
        id=refund.pk,
        amount=_money(refund.amount, currency),
        reason=refund.reason,
        status=refund.status,  # type: ignore[arg-type]
        created_at=refund.created_at,
    )


def _payment(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.pk,
        amount=_money(payment.amount, payment.currency),
        method=payment.method,  # type: ignore[arg-type]
        status=payment.status,  # type: ignore[arg-type]
        created_at=payment.created_at,
        succeeded_at=payment.succeeded_at,
        refunds=[_refund(r, payment.currency) for r in payment.refunds.all()],
    )


# Declared before `/invoices/{invoice_id}`: Django tries the patterns in order, and that one
# would take "7.pdf" for an id (and answer 422).
@router.get(
    "/invoices/{invoice_id}.pdf",
    response={404: Problem},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The invoice or credit note as a PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="An invoice or credit note as PDF",
    description="For its patient and the admins of its clinic; 404 for anyone else.",
)
def invoice_pdf(request: AuthedRequest, invoice_id: ApiId) -> HttpResponse:
    detail = invoice_selectors.invoice_for(viewer=request.user, invoice_id=invoice_id)
    return pdf.pdf_response(pdf.invoice_pdf(detail), f"{detail.invoice.number}.pdf")


@router.get(
    "/invoices/{invoice_id}",
    response={200: InvoiceOut, 404: Problem},
    summary="An invoice or credit note",
    description=(
        "Its lines, tax, payments with their refunds, credit notes and balance. For its "
        "patient and the admins of its clinic; 404 for anyone else (a therapist sees the "
        "status in the list)."
    ),
)
def get_invoice(request: AuthedRequest, invoice_id: ApiId) -> InvoiceOut:
    detail = invoice_selectors.invoice_for(viewer=request.user, invoice_id=invoice_id)
    invoice, figures = detail.invoice, detail.figures
    currency = invoice.currency
    summary = _summary(invoice, figures, full=True)
    return InvoiceOut(
        **summary.model_dump(exclude={"total", "balance"}),
        total=summary.total,
        balance=summary.balance,
        subtotal=_money(invoice.subtotal, currency),
        tax_percent=f"{invoice.tax_percent:.2f}",
        tax=_money(invoice.tax, currency),
        paid=AmountOut.of(figures.paid),
        credited=AmountOut.of(figures.credited),
        reason=invoice.reason,
        credits=invoice.credits_id,
        credit_notes=[note.pk for note in detail.credit_notes],
        lines=[
            LineOut(
                description=line.description,
                code=line.code,
                quantity=line.quantity,
                unit_amount=_money(line.unit_amount, currency),
                amount=_money(line.amount, currency),
            )
            for line in detail.lines
        ],
        payments=[_payment(p) for p in detail.payments],
    )
