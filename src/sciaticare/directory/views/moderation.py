"""The clinic admin's page: what to check (credentials, reviews, therapists), verifying or
rejecting a credential and hiding a review."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.directory.forms import ReasonForm
from sciaticare.directory.selectors.access import clinics_administered, credential_to_check
from sciaticare.directory.selectors.moderation import (
    credentials_to_check,
    review_to_hide,
    reviews_to_moderate,
    therapists_administered,
)

# The pages named like the services they call take those from their module.
from sciaticare.directory.services import credentials, reviews
from sciaticare.directory.views.checks import clinic_admin_required, found_or_404, report_refusal


@clinic_admin_required
def clinic(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "directory/clinic.html",
        {
            "clinics": clinics_administered(user=user).prefetch_related("locations"),
            "credentials": credentials_to_check(user=user),
            "reviews": reviews_to_moderate(user=user),
            "therapists": therapists_administered(user=user),
            "is_site_admin": user.has_role(Role.SITE_ADMIN),
        },
    )


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def verify_credential(request: AuthedRequest, credential_id: int) -> HttpResponse:
    credential = found_or_404(credential_to_check, user=request.user, credential_id=credential_id)
    if request.method == "POST":
        try:
            credentials.verify_credential(actor=request.user, credential=credential)
        except DomainError as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request,
                _("%(credential)s of %(name)s verified.")
                % {"credential": credential.title, "name": credential.therapist.name},
            )
        return redirect("directory:clinic")
    return render(request, "directory/confirm_verify.html", {"credential": credential})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def reject_credential(request: AuthedRequest, credential_id: int) -> HttpResponse:
    credential = found_or_404(credential_to_check, user=request.user, credential_id=credential_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credentials.reject_credential(
                actor=request.user, credential=credential, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            report_refusal(request, exc)
        else:
            messages.success(
                request,
                _("%(credential)s of %(name)s rejected.")
                % {"credential": credential.title, "name": credential.therapist.name},
            )
        return redirect("directory:clinic")
    return render(
        request,
        "directory/confirm_reject.html",
        {"credential": credential, "form": form},
        status=400 if form.errors else 200,
    )


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def hide_review(request: AuthedRequest, review_id: int) -> HttpResponse:
    review = found_or_404(review_to_hide, user=request.user, review_id=review_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviews.hide_review(
                actor=request.user, review=review, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Review hidden. Its words are kept, with your reason."))
        return redirect("directory:clinic")
    return render(
        request,
        "directory/confirm_hide_review.html",
        {"review": review, "form": form},
        status=400 if form.errors else 200,
    )
