"""Pages of therapists' and clinics' outcomes: a therapist's own, a clinic's for its admins.

Thin: the selectors check who may see what and audit it (``practice_selectors``); anyone not
allowed gets the same 404 as a missing report.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import NotFound
from sciaticare.exercises.adherence import ADHERENT_FROM
from sciaticare.outcomes import practice, practice_selectors


def _context() -> dict[str, Any]:
    """What both report pages say about the figures, in the page's language."""
    return {
        "min_patients": practice.MIN_PATIENTS,
        "threshold_note": practice.threshold_note(),
        "instrument": "Roland-Morris Disability Questionnaire",  # a name: never translated
        "adherent_from": round(100 * ADHERENT_FROM),
        "adherence_weeks": practice.ADHERENCE_WINDOW[1] // 7,
    }


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """A therapist's way to their own report."""
    own = (
        practice_selectors.own_profile_id(user=request.user)
        if request.user.has_role(Role.THERAPIST)
        else None
    )
    if own is None:
        raise Http404
    return redirect("outcomes:therapist_outcomes", profile_id=own)


@login_required
def therapist(request: AuthedRequest, profile_id: int) -> HttpResponse:
    try:
        report = practice_selectors.therapist_report(viewer=request.user, profile_id=profile_id)
    except NotFound:
        raise Http404 from None
    return render(request, "outcomes/therapist_outcomes.html", {"report": report, **_context()})


@login_required
def clinics(request: AuthedRequest) -> HttpResponse:
    """The clinics whose report the viewer may open; straight to it when there is one."""
    found = practice_selectors.clinics_for_reports(viewer=request.user)
    if not found:
        raise Http404
    if len(found) == 1:
        return redirect("outcomes:clinic_outcomes", clinic_id=found[0].pk)
    return render(request, "outcomes/clinic_outcomes_list.html", {"clinics": found})


@login_required
def clinic(request: AuthedRequest, clinic_id: int) -> HttpResponse:
    try:
        report = practice_selectors.clinic_report(viewer=request.user, clinic_id=clinic_id)
    except NotFound:
        raise Http404 from None
    return render(request, "outcomes/clinic_outcomes.html", {"report": report, **_context()})
