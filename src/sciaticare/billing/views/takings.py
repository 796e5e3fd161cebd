"""The clinic admin's takings (by day, therapist and method; payments, refunds, fees and what
is still owed) with the accountant's CSV, and the three writes an admin makes from it: record
a payment taken at the clinic, refund a payment, waive a fee. Each write is a form, then a
page that says what will happen, then a POST with ``confirm=yes``.

Only the admins of that clinic: `takings_selectors` answers NotFound for anyone else (a 404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing import takings_selectors
from sciaticare.billing.forms import RangeForm, RecordPaymentForm, RefundForm, WaiveForm
from sciaticare.billing.models import Payment, PaymentMethod, PaymentStatus
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import on_their_way
from sciaticare.billing.services import fees, payments
from sciaticare.core.display import money
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.core.spreadsheet import csv_bytes


def _found(fn: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def takings_home(request: AuthedRequest) -> HttpResponse:
    """The clinics whose takings the admin sees; straight to them when there is one."""
    clinics = takings_selectors.clinics_for_takings(viewer=request.user)
    if not clinics:
        raise Http404
    if len(clinics) == 1:
        return redirect("billing:takings", clinic_id=clinics[0].pk)
    return render(request, "billing/takings_clinics.html", {"clinics": clinics})


def _range(request: AuthedRequest, clinic_id: int) -> tuple[RangeForm, Any, Any]:
    clinic = _found(takings_selectors.clinic_for_takings, viewer=request.user, clinic_id=clinic_id)
    start, end = takings_selectors.default_range(clinic, now=timezone.now())
    form = RangeForm(request.GET if request.GET else {"start": start, "end": end})
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


@login_required
@require_GET
def takings(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    form, start, end = _range(request, clinic_id)
    report = None
    if form.is_valid():
        try:
            report = takings_selectors.takings_of(
                viewer=request.user, clinic_id=clinic_id, start=start, end=end
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "billing/takings.html",
        {"form": form, "report": report, "clinic_id": clinic_id},
        status=200 if report else 400,
    )


@login_required
@require_GET
def takings_csv(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    form, start, end = _range(request, clinic_id)
    if not form.is_valid():
        return HttpResponse(
            gettext("Give the range as start=YYYY-MM-DD&end=YYYY-MM-DD, at most a year."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        rows = takings_selectors.takings_rows(
            viewer=request.user, clinic_id=clinic_id, start=start, end=end
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(
        csv_bytes(takings_selectors.csv_header(), rows), content_type="text/csv; charset=utf-8"
    )
    name = f"takings-clinic-{clinic_id}-{start.isoformat()}-to-{end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _confirmed(request: AuthedRequest) -> bool:
    return request.POST.get("confirm") == "yes"


@login_required
@require_http_methods(["GET", "POST"])
def record_payment(request: AuthedRequest, invoice_id: int) -> HttpResponse:
    invoice, figures = _found(
        takings_selectors.invoice_to_settle, viewer=request.user, invoice_id=invoice_id
    )
    form = RecordPaymentForm(
        request.POST or None,
        limit=figures.balance,
        too_much=gettext("At most %(amount)s %(currency)s is owed."),
    )
    context = {"invoice": invoice, "figures": figures, "form": form}
    if request.method == "POST" and form.is_valid():
        amount: Money = form.cleaned_data["amount"]
        method = PaymentMethod(form.cleaned_data["method"])
        if not _confirmed(request):
            return render(request, "billing/record_payment_confirm.html", context)
        try:
            payments.record_taken(invoice=invoice, amount=amount, method=method, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext(
                    "%(amount)s (%(method)s) recorded against %(number)s. The patient is sent a "
                    "receipt."
                )
                % {
                    "amount": money(amount.amount, amount.currency),
                    "method": str(method.label).lower(),
                    "number": invoice.number,
                },
            )
        return redirect("billing:invoice", invoice_id=invoice.pk)
    return render(
        request, "billing/record_payment.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def refund(request: AuthedRequest, payment_id: int) -> HttpResponse:
    payment = _found(
        takings_selectors.payment_to_refund, viewer=request.user, payment_id=payment_id
    )
    left = payments.left_to_refund(payment)
    if left.amount == 0:
        waiting = on_their_way(payment=payment)
        if waiting.amount == 0:
            raise Http404
        # All that is left is on its way back (the processor has not answered yet).
        messages.info(
            request,
            gettext(
                "A refund of %(amount)s is on its way back: the card processor has not answered "
                "yet, and it is retried automatically."
            )
            % {"amount": money(waiting.amount, waiting.currency)},
        )
        return _back(payment)
    form = RefundForm(
        request.POST or None,
        limit=left,
        too_much=gettext("At most %(amount)s %(currency)s is left to give back."),
    )
    context = {"payment": payment, "left": left, "form": form}
    if request.method == "POST" and form.is_valid():
        amount: Money = form.cleaned_data["amount"]
        if not _confirmed(request):
            return render(request, "billing/refund_confirm.html", context)
        try:
            made = payments.refund(
                payment=payment, amount=amount, reason=form.cleaned_data["reason"], by=request.user
            )
        except DomainError as exc:
            (messages.warning if exc.code == "processor_unavailable" else messages.error)(
                request, exc.message
            )
        else:
            words = money(amount.amount, amount.currency)
            if made.status == PaymentStatus.SUCCEEDED:
                messages.success(
                    request,
                    gettext("%(amount)s given back to %(name)s.")
                    % {"amount": words, "name": payment.patient.display_name},
                )
            else:
                messages.error(
                    request,
                    gettext("The refund of %(amount)s did not go through: %(why)s")
                    % {"amount": words, "why": made.reason_words},
                )
        return _back(payment)
    return render(request, "billing/refund.html", context, status=400 if form.errors else 200)


def _back(payment: Payment) -> HttpResponse:
    if payment.invoice_id:
        return redirect("billing:invoice", invoice_id=payment.invoice_id)
    return redirect("billing:takings", clinic_id=payment.clinic_id)


@login_required
@require_http_methods(["GET", "POST"])
def waive(request: AuthedRequest, invoice_id: int) -> HttpResponse:
    invoice, figures = _found(
        takings_selectors.fee_to_waive, viewer=request.user, invoice_id=invoice_id
    )
    form = WaiveForm(request.POST or None)
    context = {"invoice": invoice, "figures": figures, "form": form}
    if request.method == "POST" and form.is_valid():
        if not _confirmed(request):
            return render(request, "billing/waive_confirm.html", context)
        try:
            note = fees.waive(invoice=invoice, reason=form.cleaned_data["reason"], by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            waiting = on_their_way(invoice=invoice)
            if waiting.amount == 0:
                messages.success(
                    request,
                    gettext(
                        "%(fee)s waived: credit note %(number)s, and whatever was paid of it "
                        "given back."
                    )
                    % {"fee": invoice.get_purpose_display(), "number": note.number},
                )
            else:
                messages.warning(
                    request,
                    gettext(
                        "%(fee)s waived: credit note %(number)s. The card processor did not "
                        "answer the refund of %(amount)s: it is recorded as pending and will be "
                        "retried automatically; nothing more is needed."
                    )
                    % {
                        "fee": invoice.get_purpose_display(),
                        "number": note.number,
                        "amount": money(waiting.amount, waiting.currency),
                    },
                )
        return redirect("billing:invoice", invoice_id=invoice.pk)
    return render(request, "billing/waive.html", context, status=400 if form.errors else 200)
