"""The patient's intake: the overview, a new revision, finishing a safety intake (booked
first), one revision, and the confirmation that a doctor has cleared massage."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.selectors import today_for
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.intake import carried_check, selectors, services
from sciaticare.intake.forms import IntakeDetailsForm, IntakeForm, ShareForm
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.reasons import most_serious_first
from sciaticare.intake.views.checks import require_role
from sciaticare.intake.views.shares import SHARED_WITH_THERAPIST


@login_required
def intake_home(request: AuthedRequest) -> HttpResponse:
    require_role(request, Role.PATIENT)
    patient = request.user
    current = selectors.current_intake(patient=patient)
    return render(
        request,
        "intake/home.html",
        {
            "current": current,
            "reasons": most_serious_first(current.triage_reasons) if current else [],
            "precautions": [PRECAUTIONS[c] for c in current.triage_precautions] if current else [],
            "episodes": selectors.episodes_of(patient=patient),
            "shares": selectors.shares_of(patient=patient),
            "share_form": ShareForm(),
            "shared_with_therapist": SHARED_WITH_THERAPIST,
            "scores": selectors.latest_scores(patient=patient),
            "questionnaires": selectors.available_questionnaires(viewer=request.user),
            "triage_alert": selectors.triage_alert(patient=patient, intake=current),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_form(request: AuthedRequest) -> HttpResponse:
    """A new intake: an update of the open episode (prefilled), or `?episode=new`. A first
    intake shows the answers of the symptom check this browser carries, to confirm."""
    require_role(request, Role.PATIENT)
    current = selectors.current_intake(patient=request.user)
    new_episode = request.GET.get("episode") == "new" or current is None
    today = today_for(request.user)
    check = carried_check.recall(request) if current is None else None
    from_check = check is not None and (
        request.method == "GET" or request.POST.get("from_check") == "yes"
    )
    recalled = IntakeForm.initial_from_check(check, today=today) if check and from_check else {}
    if request.method == "POST":
        form = IntakeForm(request.POST, initial=recalled, today=today, from_check=from_check)
        if form.is_valid():
            try:
                intake = services.submit_intake(
                    patient=request.user, data=form.to_data(), new_episode=new_episode
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, gettext("Your intake is saved. Here is what it means for massage.")
                )
                response = redirect("intake:detail", intake_id=intake.pk)
                carried_check.forget(response)  # the intake holds the answers now
                return response
    else:
        initial = IntakeForm.initial_from(current) if current and not new_episode else recalled
        form = IntakeForm(initial=initial, from_check=from_check)
    return render(
        request,
        "intake/form.html",
        {
            "form": form,
            "new_episode": new_episode,
            "current": current,
            "triage_alert": selectors.triage_alert(patient=request.user, intake=current),
        },
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def finish_intake(request: AuthedRequest) -> HttpResponse:
    """The rest of a safety intake (booked first): where, how it feels, how bad, what changes
    it, and notes, before the session. With nothing missing, the intake's page."""
    require_role(request, Role.PATIENT)
    current = selectors.current_intake(patient=request.user)
    if current is None or not current.safety_only:
        messages.info(request, gettext("Your intake has nothing left to fill in."))
        return redirect("intake:home")
    form = IntakeDetailsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_intake_details(patient=request.user, details=form.to_details())
        except DomainError as exc:
            messages.info(request, exc.message)
        else:
            messages.success(
                request,
                gettext(
                    "Your intake is complete: your therapist reads it before the session. The "
                    "short questionnaires below are optional; they show how your pain changes."
                ),
            )
        return redirect("intake:home")
    return render(
        request,
        "intake/finish.html",
        {"form": form, "current": current},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
def intake_detail(request: AuthedRequest, intake_id: int) -> HttpResponse:
    require_role(request, Role.PATIENT)
    try:
        intake = selectors.own_intake(patient=request.user, intake_id=intake_id)
    except NotFound:
        raise Http404 from None
    current = selectors.current_intake(patient=request.user)
    return render(
        request,
        "intake/detail.html",
        {
            "intake": intake,
            "reasons": most_serious_first(intake.triage_reasons),
            "precautions": [PRECAUTIONS[c] for c in intake.triage_precautions],
            "is_current": current == intake,
            "triage_alert": selectors.triage_alert(patient=request.user, intake=current),
        },
    )


@login_required
@require_POST
def confirm_clearance(request: AuthedRequest, intake_id: int) -> HttpResponse:
    require_role(request, Role.PATIENT)
    if request.POST.get("confirm") != "yes":
        messages.error(
            request, gettext("Tick the box to confirm that a doctor has cleared massage.")
        )
        return redirect("intake:detail", intake_id=intake_id)
    try:
        services.confirm_doctor_clearance(patient=request.user, intake_id=intake_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("Recorded: a doctor has cleared massage. Your therapist will see this."),
        )
    return redirect("intake:detail", intake_id=intake_id)
