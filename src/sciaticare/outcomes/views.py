from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.selectors import today_for, zone_name
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError
from sciaticare.core.redirects import safe_next
from sciaticare.core.translation import language
from sciaticare.outcomes import response, selectors, services
from sciaticare.outcomes.exercise_selectors import PAGE_WEEKS, exercise_insight_for
from sciaticare.outcomes.forms import PainForm
from sciaticare.outcomes.models import DiaryPreference, PainEntry

#: How the offline diary's script writes days (Intl), by the page's language: the site's
#: British English and Spain's Spanish, as core.display does.
SCRIPT_LOCALES = {"en": "en-GB", "es": "es-ES"}


def _today_form(request: AuthedRequest) -> PainForm:
    today = PainEntry.objects.filter(patient=request.user, day=today_for(request.user)).first()
    initial = (
        {
            "back_pain": today.back_pain,
            "leg_pain": today.leg_pain,
            "note": today.note,
            "tags": today.tags,
        }
        if today
        else {}
    )
    return PainForm(initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def diary(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied
    form = _today_form(request)
    status = 200
    if request.method == "POST":
        form = PainForm(request.POST)
        if form.is_valid():
            try:
                _, created = services.log_pain(patient=request.user, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    gettext("Logged for today.") if created else gettext("Today's entry updated."),
                )
                return redirect(safe_next(request, "outcomes:diary"))
        status = 422
    relief = selectors.relief_for(patient=request.user, viewer=request.user)
    preference = DiaryPreference.objects.filter(patient=request.user).first()
    return render(
        request,
        "outcomes/diary.html",
        {
            "form": form,
            "relief": relief,
            "exercises": exercise_insight_for(
                viewer=request.user,
                patient=request.user,
                weeks=PAGE_WEEKS,
                leg_by_day=relief.leg_by_day,
            ),
            "honest_prompt": gettext(response.HONEST_PROMPT),
            "no_baseline_note": gettext(response.NO_BASELINE_NOTE),
            "nudge": bool(preference and preference.daily_nudge),
            # The offline diary (offline-diary.js) dates a queued entry by the diary's day.
            "today": today_for(request.user),
            "now": timezone.now(),
            "diary_zone": zone_name(request.user),
            "script_locale": SCRIPT_LOCALES.get(language(), "en-GB"),
        },
        status=status,
    )


@login_required
@require_POST
def nudge(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.PATIENT):
        raise PermissionDenied
    on = request.POST.get("daily_nudge") == "on"
    services.set_daily_nudge(patient=request.user, on=on)
    messages.success(
        request,
        gettext("We will remind you each evening.") if on else gettext("Daily reminders are off."),
    )
    return redirect("outcomes:diary")
