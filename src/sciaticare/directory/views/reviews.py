"""A patient's review of a therapist they saw."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.directory.forms import ReviewForm
from sciaticare.directory.selectors.profile import bookable_therapist

# The page is named like the service it calls: it takes it from its module.
from sciaticare.directory.services import reviews
from sciaticare.directory.views.checks import found_or_404, role_required


@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def add_review(request: AuthedRequest, pk: int) -> HttpResponse:
    found = found_or_404(bookable_therapist, therapist_id=pk)
    sessions = reviews.reviewable_sessions(patient=request.user, therapist=found)
    form = ReviewForm(request.POST or None, sessions=sessions, therapist_name=found.name)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reviews.add_review(
                patient=request.user,
                therapist=found,
                session_id=data["session_id"],
                rating=data["rating"],
                text=data["text"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you: your review is on the therapist's page."))
            return redirect("directory:profile", pk=found.pk)
    return render(
        request,
        "directory/review_form.html",
        {"profile": found, "form": form, "sessions": sessions},
        status=400 if form.errors else 200,
    )
