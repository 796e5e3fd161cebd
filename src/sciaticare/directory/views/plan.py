"""A patient's flare-up plan: the list, adding, removing and reordering therapists."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.core.redirects import safe_next
from sciaticare.directory.selectors.plan import flare_up_plan
from sciaticare.directory.selectors.profile import bookable_therapist
from sciaticare.directory.services.plan import add_to_plan, move_in_plan, remove_from_plan
from sciaticare.directory.sessions import ledger
from sciaticare.directory.views.checks import found_or_404, report_refusal, role_required


@role_required(Role.PATIENT)
def plan(request: AuthedRequest) -> HttpResponse:
    entries = flare_up_plan(viewer=request.user, patient=request.user)
    closed = ledger().closed_to(
        patient=request.user, therapists=[entry.therapist for entry in entries]
    )
    return render(
        request,
        "directory/plan.html",
        {"entries": entries, "closed": closed, "today": timezone.localdate(), "plan_size": 4},
    )


@role_required(Role.PATIENT)
@require_POST
def plan_add(request: AuthedRequest) -> HttpResponse:
    try:
        therapist_id = int(request.POST.get("therapist", ""))
    except ValueError:
        raise Http404 from None
    found = found_or_404(bookable_therapist, therapist_id=therapist_id)
    try:
        entry = add_to_plan(patient=request.user, therapist=found)
    except DomainError as exc:
        report_refusal(request, exc)
    else:
        if entry.is_preferred:
            added = _("%(name)s is now your preferred therapist in your flare-up plan.")
        else:
            added = _("%(name)s is now a backup in your flare-up plan.")
        messages.success(request, added % {"name": found.name})
    return redirect(safe_next(request, reverse("directory:plan")))


@role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def plan_remove(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    entries = flare_up_plan(viewer=request.user, patient=request.user)
    entry = next((e for e in entries if e.therapist_id == therapist_id), None)
    if entry is None:
        raise Http404
    if request.method == "POST":
        remove_from_plan(patient=request.user, therapist_id=therapist_id)
        messages.success(
            request,
            _("%(name)s removed from your flare-up plan.") % {"name": entry.therapist.name},
        )
        return redirect("directory:plan")
    return render(request, "directory/confirm_plan_remove.html", {"entry": entry})


@role_required(Role.PATIENT)
@require_POST
def plan_move(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    found_or_404(
        move_in_plan,
        patient=request.user,
        therapist_id=therapist_id,
        up=direction == "up",
    )
    return redirect("directory:plan")
