"""The clinic admin's "Exercises your therapists may recommend": the ticked list, and the clinic's
own exercises (add, edit, remove). Taking exercises off the list and removing one are each
confirmed first. Anyone who does not run the clinic gets a 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError, Invalid, NotFound
from sciaticare.exercises.forms import OwnExerciseForm, ScopeForm
from sciaticare.exercises.selectors.library import (
    clinic_to_administer,
    clinics_to_administer,
    in_use,
    library_for_clinic_admin,
    own_exercise_for_admin,
    stop_rule,
)
from sciaticare.exercises.services import library as services


def _found(fn: Callable[..., Any], **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound:
        raise Http404 from None


def _confirmed(request: AuthedRequest) -> bool:
    return request.POST.get("confirm") == "yes"


@login_required
@require_GET
def clinics(request: AuthedRequest) -> HttpResponse:
    """The clinics whose exercises the admin chooses; straight to it when there is one."""
    found = clinics_to_administer(user=request.user)
    if not found:
        raise Http404
    if len(found) == 1:
        return redirect("exercises:clinic", clinic_id=found[0].pk)
    return render(request, "exercises/clinics.html", {"clinics": found})


@login_required
@require_http_methods(["GET", "POST"])
def clinic(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    page = _found(library_for_clinic_admin, user=request.user, clinic_id=clinic_id)
    ids = [entry.exercise.pk for entry in page.entries]
    form = ScopeForm(request.POST or None, choices=ids)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["exercises"])
        dropped = [e for e in page.entries if e.allowed and e.exercise.pk not in chosen]
        if dropped and not _confirmed(request):
            kept = [e for e in page.entries if e.exercise.pk in chosen]
            context = {"page": page, "form": form, "dropped": dropped, "kept": kept}
            return render(request, "exercises/scope_confirm.html", context)
        try:
            services.choose_exercises(clinic=page.clinic, exercise_ids=chosen, by=request.user)
        except DomainError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, gettext("Saved. Your therapists may recommend the exercises ticked.")
            )
        return redirect("exercises:clinic", clinic_id=page.clinic.pk)
    status = 400 if form.errors else 200
    context = {"page": page, "form": form, "stop_rule": stop_rule()}
    return render(request, "exercises/clinic.html", context, status=status)


def _saved_or_errors(
    request: AuthedRequest, form: OwnExerciseForm, save: Callable[[], Any]
) -> bool:
    """Run the service; its refusals go on the form. True when it saved."""
    try:
        save()
    except Invalid as wrong:
        for field, message in wrong.errors:
            form.add_error(field if field in form.fields else None, message)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def add(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    clinic = _found(clinic_to_administer, user=request.user, clinic_id=clinic_id)
    form = OwnExerciseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def save() -> Any:
            return services.add_own_exercise(clinic=clinic, values=form.values(), by=request.user)

        if _saved_or_errors(request, form, save):
            messages.success(
                request,
                gettext("“%(name)s” added. Your therapists may recommend it.")
                % {"name": form.cleaned_data["name"].strip()},
            )
            return redirect("exercises:clinic", clinic_id=clinic.pk)
    status = 422 if request.method == "POST" else 200
    context = {"clinic": clinic, "form": form, "stop_rule": stop_rule()}
    return render(request, "exercises/own_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, clinic_id: int, exercise_id: int) -> HttpResponse:
    exercise = _found(
        own_exercise_for_admin, user=request.user, clinic_id=clinic_id, exercise_id=exercise_id
    )
    if request.method == "POST":
        form = OwnExerciseForm(request.POST)
        if form.is_valid():

            def save() -> Any:
                return services.edit_own_exercise(
                    exercise=exercise, values=form.values(), by=request.user
                )

            if _saved_or_errors(request, form, save):
                messages.success(request, gettext("“%(name)s” saved.") % {"name": exercise.name})
                return redirect("exercises:clinic", clinic_id=exercise.clinic_id)
    else:
        form = OwnExerciseForm(initial=OwnExerciseForm.initial_of(exercise))
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "exercises/own_form.html",
        {"clinic": exercise.clinic, "form": form, "exercise": exercise, "stop_rule": stop_rule()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: AuthedRequest, clinic_id: int, exercise_id: int) -> HttpResponse:
    exercise = _found(
        own_exercise_for_admin, user=request.user, clinic_id=clinic_id, exercise_id=exercise_id
    )
    if request.method == "POST":
        try:
            services.remove_own_exercise(exercise=exercise, by=request.user)
        except DomainError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(
                request, gettext("Exercise “%(name)s” removed.") % {"name": exercise.name}
            )
        return redirect("exercises:clinic", clinic_id=clinic_id)
    return render(
        request,
        "exercises/own_remove.html",
        {"exercise": exercise, "in_use": bool(in_use([exercise.pk]))},
    )
