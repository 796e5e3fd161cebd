"""The public symptom check, a few screens of questions (``intake.symptom_check``): nothing is
stored, the answers travel with the form, and the finished check's answers stay in the browser
(``carried_check``)."""

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
        # Each screen is a POST; the limit is per IP and shared with POST /api/v1/triage.
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
    # The one-question-at-a-time mode: chosen by a link on the first screen, kept by the form.
    one_at_a_time = (request.POST if request.method == "POST" else request.GET).get("one") == "1"
    screens = symptom_check.ONE_AT_A_TIME if one_at_a_time else symptom_check.SCREENS
    if request.method == "GET":
        move: symptom_check.Show | symptom_check.Finish = symptom_check.Show(
            0, symptom_check.CheckState(answers={}), {}
        )
    else:
        move = symptom_check.advance(
            screens, data, back=data.get("go") == "back", none=data.get("go") == "none"
        )
    if isinstance(move, symptom_check.Finish):
        response = check_result_page(request, move.triage)
        carried_check.remember(response, move.state)  # for sign-up and booking to confirm
        return response
    screen = screens[move.index]
    questions = [_question(step, move, data) for step in screen.steps]
    # Focus the first answer to correct; else the first question, except on the opening screen
    # of several questions, which a screen reader should read from the top (the mode link).
    opening = move.index == 0 and not one_at_a_time
    autofocus = next(
        (q["code"] for q in questions if q["error"]), None if opening else screen.steps[0]
    )
    return render(
        request,
        "intake/check.html",
        {
            "screen": screen,
            "index": move.index,
            "number": move.index + 1,
            "total": len(screens),
            "one_at_a_time": one_at_a_time,
            "none_of_these": symptom_check.offers_none_of_these(screen),
            "questions": questions,
            "missing": [q for q in questions if q["error"]],
            "autofocus": autofocus,
            "carried": symptom_check.carried(screen, move.state),
        },
        status=422 if move.errors else 200,
    )


def _question(step: str, move: symptom_check.Show, data: dict[str, str]) -> dict[str, object]:
    """One answer of the screen, as the template draws it."""
    error = move.errors.get(step)
    number = symptom_check.NUMBER_STEPS.get(step)
    emergency = step in symptom_check.EMERGENCY_QUESTIONS
    return {
        "code": step,
        "text": symptom_check.QUESTION_TEXT.get(step) or (number and number[0]),
        "number": number is not None,
        # A number that cannot be taken is shown as typed, to be corrected.
        "value": data.get(step, "") if number and error else move.state.value_of(step),
        "error": error,
        # What the page's script shows the moment "yes" is chosen (without it, Next does).
        "emergency_reason": REASONS[step] if emergency else None,
    }


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
