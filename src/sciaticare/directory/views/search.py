"""The pages anyone may open: the search and a therapist's public profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from sciaticare.accounts.models import Role
from sciaticare.core.errors import DomainError
from sciaticare.directory.fit import fit_for
from sciaticare.directory.forms import RADIUS_CHOICES, SearchForm
from sciaticare.directory.ranking import modality_name
from sciaticare.directory.selectors.access import administers
from sciaticare.directory.selectors.plan import plan_therapist_ids
from sciaticare.directory.selectors.profile import public_profile
from sciaticare.directory.selectors.search import search_therapists
from sciaticare.directory.services.reviews import reviewable_sessions
from sciaticare.directory.sessions import ledger
from sciaticare.directory.views.checks import found_or_404


def search(request: HttpRequest) -> HttpResponse:
    """The search page; with htmx, only the form and results are sent back."""
    form = SearchForm(request.GET or None)
    page = None
    nobody_near = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            page = search_therapists(
                lat=data["lat"],
                lon=data["lon"],
                radius_km=float(data.get("radius_km") or 25),
                modality=data.get("modality") or None,
                language=data.get("language") or None,
                max_price=float(data["max_price"]) if data.get("max_price") is not None else None,
                step_free=data["step_free"],
                parking=data["parking"],
                adjustable_table=data["adjustable_table"],
                accepting_new=data["accepting_new"],
                include_unverified=data["include_unverified"],
                fit=fit_for(request.user),
                page=data.get("page") or 1,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            # "Try a wider radius" helps only where someone is listed at the widest one.
            nobody_near = page.count == 0 and (
                search_therapists(
                    lat=data["lat"],
                    lon=data["lon"],
                    radius_km=float(max(km for km, _ in RADIUS_CHOICES)),
                    include_unverified=True,
                    page_size=1,
                ).count
                == 0
            )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "place_label": form.place_label,
        "nobody_near": nobody_near,
        "in_plan": plan_therapist_ids(patient=request.user),  # type: ignore[arg-type]
        "is_patient": request.user.is_authenticated and request.user.has_role(Role.PATIENT),
        # Said up front, not after the red-flag questions: booking's own rule, not a copy.
        "closed": ledger().closed_to(
            patient=request.user, therapists=[result.profile for result in page.results]
        )
        if page
        else set(),
    }
    template = "directory/search.html"
    if getattr(request, "htmx", False) and not getattr(request.htmx, "boosted", False):  # type: ignore[attr-defined]
        template += "#search"
    # htmx swaps in only 2xx answers: its own request gets the form with the message as a 200,
    # or the page would keep showing the previous results with no word of what was wrong.
    refused = bool(form.errors) and template == "directory/search.html"
    return render(request, template, context, status=400 if refused else 200)


def _back_to_search(request: HttpRequest) -> str:
    """The search the visitor came from (its query, from this site's Referer), else the empty
    search: "← Find a therapist" dropped the place searched for (found by an outside test)."""
    search = reverse("directory:search")
    came_from = urlsplit(request.headers.get("Referer", ""))
    if came_from.netloc == request.get_host() and came_from.path == search and came_from.query:
        try:
            return f"{search}?{QueryDict(came_from.query).urlencode()}"
        except TooManyFieldsSent:  # only the visitor's own browser sends it: the plain search
            pass
    return search


def profile(request: HttpRequest, pk: int) -> HttpResponse:
    public = found_or_404(public_profile, profile_id=pk)
    found = public.therapist
    user = request.user
    today = timezone.localdate()
    is_patient = user.is_authenticated and user.has_role(Role.PATIENT)
    return render(
        request,
        "directory/profile.html",
        {
            "profile": found,
            "public": public,
            "back_to_search": _back_to_search(request),
            "licence_verified": found.licence_valid_on(today),
            "modalities": [modality_name(code) for code in sorted(found.modalities)],
            "is_patient": is_patient,
            "in_plan": found.pk in plan_therapist_ids(patient=user),  # type: ignore[arg-type]
            "closed": bool(ledger().closed_to(patient=user, therapists=[found])),
            "can_review": bool(
                is_patient and reviewable_sessions(patient=user, therapist=found)  # type: ignore[arg-type]
            ),
            "can_edit": user.is_authenticated
            and (found.user_id == user.pk or administers(user, found)),
        },
    )
