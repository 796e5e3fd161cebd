"""The therapist's side: the clients who shared an intake or are treated, and a client's brief."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import NotFound
from sciaticare.intake import selectors, services
from sciaticare.intake.brief_sections import brief_sections
from sciaticare.intake.care import care
from sciaticare.intake.triage.phase import PHASE_WORDS, episode_phase
from sciaticare.intake.triage.precautions import PRECAUTIONS
from sciaticare.intake.triage.reasons import most_serious_first
from sciaticare.intake.views.checks import require_role


@login_required
def clients(request: AuthedRequest) -> HttpResponse:
    require_role(request, Role.THERAPIST)
    shares = list(selectors.shared_clients(therapist=request.user))
    treated = list(selectors.treated_clients(therapist=request.user)[:200])
    # A name links the brief only when there is an intake to make it from.
    with_intake = selectors.current_levels(
        patient_ids=[s.patient_id for s in shares] + [p.pk for p in treated]
    )
    return render(
        request,
        "intake/clients.html",
        {"shares": shares, "treated": treated, "with_intake": set(with_intake)},
    )


@login_required
def brief(request: AuthedRequest, patient_id: int) -> HttpResponse:
    require_role(request, Role.THERAPIST)
    try:
        found = selectors.brief_for(viewer=request.user, patient_id=patient_id)
    except selectors.NoIntakeYet as none:
        # What apps above intake add shows without an intake too (a patient imported from
        # another system has their history before they fill one in).
        sections = brief_sections(viewer=request.user, patient=none.patient)
        return render(
            request, "intake/no_brief.html", {"patient": none.patient, "sections": sections}
        )
    except NotFound:
        raise Http404 from None
    intake = found.intake
    return render(
        request,
        "intake/brief.html",
        {
            "brief": found,
            "intake": intake,
            # What apps above intake add (outcomes: the home exercises, flags first).
            "sections": brief_sections(viewer=request.user, patient=found.patient),
            # An intake share opens the intake only; the record export is for who treats them.
            "may_export": care().treats(therapist=request.user, patient=found.patient),
            "reasons": most_serious_first(intake.triage_reasons),
            "precautions": [PRECAUTIONS[c] for c in intake.triage_precautions],
            "phase": gettext(
                PHASE_WORDS[
                    episode_phase(services.onset_weeks(intake.onset_date, intake.created_at.date()))
                ]
            ),
        },
    )
