"""The therapist's week: their sessions day by day, in each location's clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import Role
from sciaticare.accounts.selectors import today_for, zone_name
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.bounds import parse_day
from sciaticare.core.errors import Invalid
from sciaticare.directory.selectors.profile import own_profile
from sciaticare.intake import selectors as intake_selectors
from sciaticare.scheduling import external_busy
from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.selectors.calendars import local


@login_required
def week(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.THERAPIST):
        raise PermissionDenied
    profile = own_profile(user=request.user)
    status = 200
    try:
        first = parse_day(request.GET.get("start"), field="start") or today_for(request.user)
    except Invalid as exc:
        messages.error(
            request, gettext("%(problem)s Showing this week instead.") % {"problem": exc.message}
        )
        first, status = today_for(request.user), 400
    first -= timedelta(days=first.weekday())
    days = [first + timedelta(days=i) for i in range(7)]
    sessions = (
        # A day either side: a session's day is its location's, which UTC's date may not be.
        Appointment.objects.filter(
            therapist=profile,
            start__date__gte=days[0] - timedelta(days=1),
            start__date__lte=days[-1] + timedelta(days=1),
        )
        .exclude(status__in=["held", "expired", "rescheduled"])
        .select_related("patient", "location", "session_type")
        if profile
        else Appointment.objects.none()
    )
    by_day: dict[Any, list[Appointment]] = {day: [] for day in days}
    rows = list(sessions)
    intake_selectors.mark_do_not_treat(rows)
    for session in rows:
        by_day.setdefault(local(session.start, session.location).date(), []).append(session)
    # The therapist's own calendar (integrations, through the seam): say when its busy times
    # are unknown, since clients cannot book them meanwhile.
    now = timezone.now()
    own_calendar = (
        external_busy.source().busy([profile.pk], start=now, end=now, now=now).get(profile.pk)
        if profile
        else None
    )
    return render(
        request,
        "scheduling/week.html",
        {
            "own_calendar": own_calendar,
            "unknown_since": own_calendar.unknown_since.astimezone(
                ZoneInfo(zone_name(request.user))
            )
            if own_calendar and own_calendar.unknown_since
            else None,
            "days": [(day, by_day.get(day, [])) for day in days],
            "previous": days[0] - timedelta(days=7),
            "next": days[0] + timedelta(days=7),
            "has_profile": profile is not None,
        },
        status=status,
    )
