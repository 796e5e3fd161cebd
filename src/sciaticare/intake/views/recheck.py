"""The red-flag re-check before a booking: the emergency and urgent questions asked again."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.intake import recheck as recheck_rules
from sciaticare.intake import selectors, services
from sciaticare.intake.views.checks import require_role


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


def _fill_in_again(request: AuthedRequest, refusal: DomainError) -> HttpResponse:
    messages.info(request, refusal.message)
    return redirect("intake:form")


@login_required
@require_http_methods(["GET", "POST"])
def recheck(request: AuthedRequest) -> HttpResponse:
    """ "Do any of these apply now?": the emergency and urgent questions asked again, on one
    screen, before a booking whose intake is more than a day old; "nothing has changed" is one
    tap. An intake over four weeks old is filled in again instead (intake/recheck.py)."""
    require_role(request, Role.PATIENT)
    current = selectors.current_intake(patient=request.user)
    if current is None:
        return redirect("intake:form")
    # Only a GET is turned away: a POST may carry a "yes", which is kept whatever the age.
    if request.method == "GET" and not recheck_rules.is_valid(current.created_at, timezone.now()):
        return _fill_in_again(request, services.out_of_date())
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    error, status = None, 200
    if request.method == "POST":
        answer = request.POST.get("answer")
        # Ticks are answers whichever button sent them: "None of these" with a box ticked is
        # taken as a yes, never as a clean bill (a tick must not be thrown away).
        yes = request.POST.getlist("yes")
        if answer not in ("some", "none") or (answer == "some" and not yes):
            error = gettext("Tick the ones that apply now, or choose “None of these”.")
            status = 422
        else:
            try:
                done = services.recheck_red_flags(patient=request.user, yes=yes)
            except DomainError as exc:
                if exc.code == services.INTAKE_OUT_OF_DATE:
                    return _fill_in_again(request, exc)
                error, status = exc.message, exc.status
            else:
                if done.result is not None:
                    messages.warning(
                        request,
                        gettext(
                            "Your answers change what massage means for you now. Please read "
                            "this, and update the rest of your intake if anything else has "
                            "changed."
                        ),
                    )
                    return redirect("intake:detail", intake_id=done.result.pk)
                if current.blocks_booking:
                    # Nothing new, but the intake still stands in the way: never "you can book".
                    messages.warning(
                        request,
                        gettext(
                            "Thank you. Nothing new since your last answers, but they still "
                            "say to get medical advice before massage: read them again here."
                        ),
                    )
                    return redirect("intake:detail", intake_id=current.pk)
                messages.success(
                    request, gettext("Thank you. Nothing new to worry about: you can book.")
                )
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
