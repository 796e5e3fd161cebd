"""The clinic admin's payment policy page: currency, deposit, fees, how patients pay, tax and
what the clinic's invoices say; with the words patients read before booking."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing.forms import PaymentPolicyForm
from sciaticare.billing.selectors import policy_to_edit, saved_policy
from sciaticare.billing.services.policy import save_policy
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.scheduling.selectors.calendars import booking_rules


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    try:
        clinic, current = policy_to_edit(user=request.user, clinic_id=clinic_id)
    except NotFound:
        raise Http404 from None
    window = booking_rules(clinic).cancellation_window_hours
    status = 200
    if request.method == "POST":
        form = PaymentPolicyForm(request.POST)
        if form.is_valid():
            try:
                save_policy(clinic=clinic, values=form.values(), by=request.user)
            except Invalid as wrong:
                for field, message in wrong.errors:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request, gettext("Saved. Patients see the new policy before booking.")
                )
                return redirect("billing:policy", clinic_id=clinic.pk)
        status = 422
    else:
        form = PaymentPolicyForm(initial=PaymentPolicyForm.initial_of(current, window))
    return render(
        request,
        "billing/policy.html",
        {"clinic": clinic, "form": form, "saved": saved_policy(clinic) is not None},
        status=status,
    )
