from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sciaticare.accounts.models import Role
from sciaticare.accounts.selectors import day_span, today_for
from sciaticare.accounts.types import AuthedRequest
from sciaticare.directory.selectors.plan import flare_up_plan
from sciaticare.intake.selectors import current_intake, mark_do_not_treat, triage_alert
from sciaticare.outcomes.forms import PainForm
from sciaticare.outcomes.selectors import dashboard_relief_for
from sciaticare.records.selectors import overdue_for
from sciaticare.scheduling.selectors.appointments import appointments_of
from sciaticare.scheduling.selectors.waitlist import open_offers_of


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    """Each role's next steps on one page; a fixed handful of queries whatever the history."""
    user, now = request.user, timezone.now()
    context: dict[str, object] = {"roles": [role for role in Role if user.has_role(role)]}
    upcoming = appointments_of(user=user).filter(status="booked", start__gte=now).order_by("start")
    if user.has_role(Role.PATIENT):
        context.update(
            flare_up_plan=flare_up_plan(viewer=user, patient=user, with_prices=False),
            intake=(intake := current_intake(patient=user)),
            triage_alert=triage_alert(patient=user, intake=intake),
            relief=dashboard_relief_for(patient=user),
            quick_form=PainForm(),
            # Only the joins the cards show: compiling the others cost ≈ 3 ms of CPU a page.
            offers=list(open_offers_of(patient=user, now=now).select_related(None)),
            upcoming=list(
                upcoming.filter(patient=user)
                .select_related(None)
                .select_related("therapist__user", "location")[:3]
            ),
        )
    if user.has_role(Role.THERAPIST):
        # The therapist's own day (their time zone), not the server's.
        day_start, day_end = day_span(user, today_for(user, now))
        context.update(
            sessions_today=(
                today := list(
                    upcoming.filter(therapist__user=user, start__gte=day_start, start__lt=day_end)
                )
            ),
            overdue=list(overdue_for(therapist_user=user)[:10]),
        )
        # "Do not treat" on each row whose patient's intake now says emergency or urgent.
        mark_do_not_treat(today)
    return render(request, "web/dashboard.html", context)
