"""Consent: a patient shares their intake with a therapist by email, and revokes the share."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.intake import selectors, services
from sciaticare.intake.forms import ShareForm
from sciaticare.intake.views.checks import require_role

# What an intake share opens, said the same way on the page and in the confirmation.
SHARED_WITH_THERAPIST = gettext_lazy(
    "your intake and the brief made from it; not your session notes, diary or reports"
)


@login_required
@require_POST
def share(request: AuthedRequest) -> HttpResponse:
    require_role(request, Role.PATIENT)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            shared = services.share_intake(
                patient=request.user, therapist_email=form.cleaned_data["therapist_email"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext(
                    "If a therapist with the address %(email)s uses Sciaticare, they can now "
                    "read %(what)s."
                )
                % {"email": shared.email, "what": SHARED_WITH_THERAPIST},
            )
    else:
        messages.error(request, gettext("Enter a valid email address."))
    return redirect("intake:home")


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: AuthedRequest, share_id: int) -> HttpResponse:
    require_role(request, Role.PATIENT)
    shared = (
        selectors.shares_of(patient=request.user)
        .filter(pk=share_id, revoked_at__isnull=True)
        .first()
    )
    if shared is None:
        raise Http404
    if request.method == "POST":
        services.revoke_share(patient=request.user, share_id=shared.pk)
        messages.success(
            request, gettext("%(email)s can no longer read your intake.") % {"email": shared.email}
        )
        return redirect("intake:home")
    return render(request, "intake/revoke_confirm.html", {"share": shared})
