"""The public symptom check: nothing is stored, the answers travel with the form."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from sciaticare.core import ratelimits
from sciaticare.intake import carried_check, symptom_check
from sciaticare.intake.triage.assessment import Triage
from sciaticare.intake.triage.levels import Level
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.reasons import REASONS, most_serious_first


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
                    response = check_result_page(request, symptom_check.result(state))
                    carried_check.remember(response, state)  # for sign-up and booking to confirm
                    return response
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


@require_GET
def emergency(request: HttpRequest) -> HttpResponse:
    """What to do in an emergency: the check's emergency advice and every reason that leads to
    it, in the check's own words. No form and nothing personal, so the app keeps it for use
    with no network (docs/offline.md)."""
    reasons = [r for r in REASONS.values() if r.level is Level.EMERGENCY]
    return render(request, "intake/emergency.html", {"reasons": reasons})
