from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core import ratelimits
from sciaticare.core.bounds import loads_json
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.intake import recheck as recheck_rules
from sciaticare.intake import selectors, services, symptom_check
from sciaticare.intake.care import care
from sciaticare.intake.forms import IntakeForm, QuestionnaireImportForm, ShareForm
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.intake.scoring.questionnaire import MAX_VALUE_URL, MIN_VALUE_URL
from sciaticare.intake.scoring.rules import IncompleteResponse, InvalidResponse
from sciaticare.intake.triage.assessment import Triage
from sciaticare.intake.triage.phase import episode_phase
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.reasons import most_serious_first


def _require(request: AuthedRequest, role: Role) -> None:
    if not request.user.has_role(role):
        raise PermissionDenied


# --- Public symptom check: nothing is stored, answers travel with the form ----------------


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        # Each answer is a POST; the limit is per IP and shared with POST /api/v1/triage.
        wait = ratelimits.hit(scope="symptom_check", ident=f"ip:{ratelimits.client_ip(request)}")
        if wait is not None:
            response = render(
                request,
                "intake/check_limited.html",
                {"wait_minutes": math.ceil(wait / 60)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
    data: dict[str, str] = request.POST.dict() if request.method == "POST" else {}
    state = symptom_check.parse(data)
    try:
        index = min(max(int(data.get("step", 0)), 0), len(symptom_check.STEPS) - 1)
    except ValueError:
        index = 0
    error = None
    if request.method == "POST":
        step = symptom_check.STEPS[index]
        if data.get("go") == "back":
            index = max(index - 1, 0)
        else:
            error = symptom_check.answer_error(step, data.get("answer"))
            if error is None:
                state = symptom_check.parse({**data, step: data["answer"]})
                if symptom_check.reaches_emergency(state) or index == len(symptom_check.STEPS) - 1:
                    return check_result_page(request, symptom_check.result(state))
                index += 1
    step = symptom_check.STEPS[index]
    carried = [
        (code, state.value_of(code))
        for code in symptom_check.STEPS
        if code != step and state.value_of(code) != ""
    ]
    return render(
        request,
        "intake/check.html",
        {
            "step": step,
            "index": index,
            "number": index + 1,
            "total": len(symptom_check.STEPS),
            "question": symptom_check.QUESTION_TEXT.get(step)
            or symptom_check.NUMBER_STEPS[step][0],
            "number_step": symptom_check.NUMBER_STEPS.get(step),
            "current": state.value_of(step),
            "carried": carried,
            "error": error,
        },
        status=422 if error else 200,
    )


def check_result_page(request: HttpRequest, result: Triage) -> HttpResponse:
    """The symptom check's answer page for a result (the check's last step, and its tests)."""
    return render(
        request,
        "intake/check_result.html",
        {
            "result": result,
            "level": result.level.code,
            "reasons": most_serious_first(result.reasons),
            "precautions": [PRECAUTIONS[code] for code in result.precautions],
        },
    )


# --- The patient's intake -------------------------------------------------------------------


@login_required
def intake_home(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.PATIENT)
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
    """A new intake: an update of the open episode (prefilled), or `?episode=new`."""
    _require(request, Role.PATIENT)
    current = selectors.current_intake(patient=request.user)
    new_episode = request.GET.get("episode") == "new" or current is None
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            try:
                intake = services.submit_intake(
                    patient=request.user, data=form.to_data(), new_episode=new_episode
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, "Your intake is saved. Here is what it means for massage."
                )
                return redirect("intake:detail", intake_id=intake.pk)
    else:
        initial = IntakeForm.initial_from(current) if current and not new_episode else {}
        form = IntakeForm(initial=initial)
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
def intake_detail(request: AuthedRequest, intake_id: int) -> HttpResponse:
    _require(request, Role.PATIENT)
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
    _require(request, Role.PATIENT)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm that a doctor has cleared massage.")
        return redirect("intake:detail", intake_id=intake_id)
    try:
        services.confirm_doctor_clearance(patient=request.user, intake_id=intake_id)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Recorded: a doctor has cleared massage. Your therapist will see this."
        )
    return redirect("intake:detail", intake_id=intake_id)


# --- Consent ----------------------------------------------------------------------------------

# What an intake share opens, said the same way on the page and in the confirmation.
SHARED_WITH_THERAPIST = (
    "your intake and the brief made from it; not your session notes, diary or reports"
)


@login_required
@require_POST
def share(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.PATIENT)
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
                f"If a therapist with the address {shared.email} uses Sciaticare, they can now "
                f"read {SHARED_WITH_THERAPIST}.",
            )
    else:
        messages.error(request, "Enter a valid email address.")
    return redirect("intake:home")


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: AuthedRequest, share_id: int) -> HttpResponse:
    _require(request, Role.PATIENT)
    shared = (
        selectors.shares_of(patient=request.user)
        .filter(pk=share_id, revoked_at__isnull=True)
        .first()
    )
    if shared is None:
        raise Http404
    if request.method == "POST":
        services.revoke_share(patient=request.user, share_id=shared.pk)
        messages.success(request, f"{shared.email} can no longer read your intake.")
        return redirect("intake:home")
    return render(request, "intake/revoke_confirm.html", {"share": shared})


# --- Questionnaires ---------------------------------------------------------------------------


def _answers_from_post(resource: dict[str, Any], post: Any) -> dict[str, int | bool | None]:
    answers: dict[str, int | bool | None] = {}
    for spec in resource.get("item", []):
        link = spec.get("linkId")
        if spec.get("type") in ("group", "display") or not link:
            continue
        raw = post.get(link, "")
        if raw == "":
            answers[link] = None
        elif spec.get("type") == "boolean":
            answers[link] = raw == "true"
        else:
            try:
                answers[link] = int(raw)
            except ValueError:
                answers[link] = None
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire(request: AuthedRequest, code: str) -> HttpResponse:
    _require(request, Role.PATIENT)
    found = selectors.questionnaire(code, viewer=request.user)
    if found is None:
        raise Http404
    resource, version = found
    instrument = INSTRUMENTS[code]
    errors: dict[str, str] = {}
    explanation = ""
    answers: dict[str, Any] = {}
    if request.method == "POST":
        answers = _answers_from_post(resource, request.POST)
        try:
            response = services.record_questionnaire(
                patient=request.user, code=code, answers=answers, version=version
            )
        except IncompleteResponse as exc:
            errors = dict.fromkeys(exc.missing, "Please answer this.")
            explanation = exc.explanation
        except InvalidResponse as exc:
            errors = dict(exc.errors)
        else:
            messages.success(
                request,
                f"{instrument.title}: {response.score:g}"
                + (f" ({response.band})" if response.band else ""),
            )
            return redirect("intake:home")
    return render(
        request,
        "intake/questionnaire.html",
        {
            "instrument": instrument,
            "resource": resource,
            "items": _render_items(resource, answers, errors),
            "errors": errors,
            "explanation": explanation,
        },
        status=422 if errors else 200,
    )


def _render_items(
    resource: dict[str, Any], answers: dict[str, Any], errors: dict[str, str]
) -> list[dict[str, Any]]:
    items = []
    for spec in resource.get("item", []):
        kind = spec.get("type")
        link = spec.get("linkId", "")
        entry: dict[str, Any] = {
            "link": link,
            "text": spec.get("text", ""),
            "type": kind,
            "error": errors.get(link),
        }
        if kind == "integer":
            low, high = _bounds(spec)
            entry["options"] = list(range(low, high + 1))
        elif kind == "choice":
            entry["options"] = [o.get("valueInteger") for o in spec.get("answerOption", [])]
            entry["type"] = "integer"
        entry["value"] = answers.get(link)
        entry["anchors"] = [
            child.get("text", "")
            for child in spec.get("item", [])
            if child.get("type") == "display"
        ]
        items.append(entry)
    return items


def _bounds(spec: dict[str, Any]) -> tuple[int, int]:
    low, high = 0, 10
    for extension in spec.get("extension", []):
        if extension.get("url") == MIN_VALUE_URL:
            low = int(extension.get("valueInteger", low))
        if extension.get("url") == MAX_VALUE_URL:
            high = int(extension.get("valueInteger", high))
    return low, high


@login_required
@require_http_methods(["GET", "POST"])
def import_questionnaire(request: AuthedRequest) -> HttpResponse:
    if not (request.user.has_role(Role.CLINIC_ADMIN) or request.user.has_role(Role.SITE_ADMIN)):
        raise PermissionDenied
    clinics = list(selectors.clinics_for_import(admin=request.user))
    form = QuestionnaireImportForm(request.POST or None, request.FILES or None, clinics=clinics)
    if request.method == "POST" and form.is_valid():
        try:
            resource = loads_json(form.cleaned_data["resource"].read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            form.add_error("resource", f"The file is not JSON: {exc}")
        else:
            try:
                imported = services.import_questionnaire(
                    admin=request.user,
                    resource=resource,
                    licence_statement=form.cleaned_data["licence_statement"],
                    clinic_id=form.cleaned_data.get("clinic"),
                )
            except DomainError as exc:
                form.add_error("resource", exc.message)
            else:
                messages.success(request, f"Imported {imported.code} version {imported.version}.")
                return redirect("intake:import_questionnaire")
    return render(
        request,
        "intake/import.html",
        {"form": form, "imported": selectors.imported_questionnaires(admin=request.user)},
        status=422 if form.is_bound and form.errors else 200,
    )


# --- The therapist's side ---------------------------------------------------------------------


@login_required
def clients(request: AuthedRequest) -> HttpResponse:
    _require(request, Role.THERAPIST)
    return render(
        request,
        "intake/clients.html",
        {
            "shares": selectors.shared_clients(therapist=request.user),
            "treated": selectors.treated_clients(therapist=request.user)[:200],
        },
    )


@login_required
def brief(request: AuthedRequest, patient_id: int) -> HttpResponse:
    _require(request, Role.THERAPIST)
    try:
        found = selectors.brief_for(viewer=request.user, patient_id=patient_id)
    except NotFound:
        raise Http404 from None
    intake = found.intake
    return render(
        request,
        "intake/brief.html",
        {
            "brief": found,
            "intake": intake,
            # An intake share opens the intake only; the record export is for who treats them.
            "may_export": care().treats(therapist=request.user, patient=found.patient),
            "reasons": most_serious_first(intake.triage_reasons),
            "precautions": [PRECAUTIONS[c] for c in intake.triage_precautions],
            "phase": episode_phase(
                services.onset_weeks(intake.onset_date, intake.created_at.date())
            ),
        },
    )


# --- The red-flag re-check before a booking ------------------------------------------------


def _safe_next(request: AuthedRequest, raw: str | None) -> str | None:
    if (
        raw
        and raw.startswith("/")
        and url_has_allowed_host_and_scheme(
            raw, {request.get_host()}, require_https=request.is_secure()
        )
    ):
        return raw
    return None


@login_required
@require_http_methods(["GET", "POST"])
def recheck(request: AuthedRequest) -> HttpResponse:
    """ "Do any of these apply now?": the emergency and urgent questions asked again before a
    booking whose intake is more than a day old (intake/recheck.py)."""
    _require(request, Role.PATIENT)
    current = selectors.current_intake(patient=request.user)
    if current is None:
        return redirect("intake:form")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    error, status = None, 200
    if request.method == "POST":
        answer = request.POST.get("answer")
        # Ticks are answers whichever button sent them: "None of these" with a box ticked is
        # taken as a yes, never as a clean bill (a tick must not be thrown away).
        yes = request.POST.getlist("yes")
        if answer not in ("some", "none") or (answer == "some" and not yes):
            error, status = "Tick the ones that apply now, or choose “None of these”.", 422
        else:
            try:
                done = services.recheck_red_flags(patient=request.user, yes=yes)
            except DomainError as exc:
                error, status = exc.message, exc.status
            else:
                if done.result is not None:
                    messages.warning(
                        request,
                        "Your answers change what massage means for you now. Please read this, "
                        "and update the rest of your intake if anything else has changed.",
                    )
                    return redirect("intake:detail", intake_id=done.result.pk)
                messages.success(request, "Thank you. Nothing new to worry about: you can book.")
                return redirect(next_url or "web:dashboard")
    return render(
        request,
        "intake/recheck.html",
        {
            "questions": recheck_rules.QUESTIONS_ASKED,
            "current": current,
            "next": next_url or "",
            "error": error,
            "triage_alert": selectors.triage_alert(patient=request.user, intake=current),
        },
        status=status,
    )
