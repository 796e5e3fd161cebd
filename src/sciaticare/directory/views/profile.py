"""A therapist's own entry: the profile form and the session types, for the therapist and the
admins of their clinics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.directory.forms import ProfileForm, SessionTypeForm
from sciaticare.directory.models import SessionType
from sciaticare.directory.selectors.access import profile_for_edit

# The pages named like the services they call take those from their module.
from sciaticare.directory.services import profile as profile_services
from sciaticare.directory.services.profile import (
    ProfileChanges,
    ensure_profile,
    set_standard_session,
    update_profile,
)
from sciaticare.directory.views.checks import found_or_404, report_refusal, role_required


@role_required(Role.THERAPIST)
def my_profile(request: AuthedRequest) -> HttpResponse:
    """A therapist's way in: their profile is made the first time they come."""
    own = ensure_profile(therapist=request.user)
    return redirect("directory:edit", pk=own.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: AuthedRequest, pk: int) -> HttpResponse:
    found = found_or_404(profile_for_edit, user=request.user, profile_id=pk)
    form = ProfileForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_profile(
                actor=request.user,
                profile=found,
                changes=ProfileChanges(
                    bio=data["bio"],
                    modalities=frozenset(data["modalities"]),
                    years_experience=data["years_experience"],
                    years_sciatica=data["years_sciatica"],
                    languages=data["languages_text"],
                    accepting_new_patients=data["accepting_new_patients"],
                    is_mobile=data["is_mobile"],
                    service_radius_km=data["service_radius_km"],
                    base_latitude=data["base_latitude"],
                    base_longitude=data["base_longitude"],
                    location_ids=[location.pk for location in data["locations"]],
                ),
            )
        except DomainError as exc:
            for field, message in exc.errors:
                form.add_error(field if field in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("directory:edit", pk=found.pk)
    return render(
        request,
        "directory/edit_profile.html",
        {
            "profile": found,
            "form": form,
            "session_form": SessionTypeForm(),
            "sessions": found.session_types.all(),
            "own": found.user_id == request.user.pk,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def add_session_type(request: AuthedRequest, pk: int) -> HttpResponse:
    found = found_or_404(profile_for_edit, user=request.user, profile_id=pk)
    form = SessionTypeForm(request.POST)
    if form.is_valid():
        try:
            profile_services.add_session_type(
                actor=request.user, profile=found, **form.cleaned_data
            )
        except DomainError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Session added."))
    else:
        messages.error(request, _("The session was not added: check its length and price."))
    return redirect(reverse("directory:edit", kwargs={"pk": found.pk}) + "#sessions")


def _session_for(request: AuthedRequest, session_id: int) -> SessionType:
    session = SessionType.objects.select_related("therapist__user").filter(pk=session_id).first()
    if session is None:
        raise Http404
    found_or_404(profile_for_edit, user=request.user, profile_id=session.therapist_id)
    return session


@login_required
@require_POST
def make_standard_session(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    set_standard_session(actor=request.user, session=session)
    messages.success(
        request, _("“%(name)s” is now your standard session.") % {"name": session.name}
    )
    return redirect(reverse("directory:edit", kwargs={"pk": session.therapist_id}) + "#sessions")


@login_required
@require_http_methods(["GET", "POST"])
def remove_session_type(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    back = reverse("directory:edit", kwargs={"pk": session.therapist_id}) + "#sessions"
    if request.method == "POST":
        try:
            profile_services.remove_session_type(actor=request.user, session=session)
        except DomainError as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("“%(name)s” removed.") % {"name": session.name})
        return redirect(back)
    return render(
        request, "directory/confirm_remove_session.html", {"session": session, "back": back}
    )
