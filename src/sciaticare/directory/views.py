"""Pages of the directory: search, profiles, a therapist's own entry and credentials, the clinic
admin's checks, reviews, and a patient's flare-up plan.

Views are thin: parse the form, call one selector or service, render or redirect. Objects a
person may not see are 404s, the same as missing ones.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.core.redirects import safe_next
from sciaticare.directory import documents
from sciaticare.directory.fit import fit_for
from sciaticare.directory.forms import (
    RADIUS_CHOICES,
    CredentialForm,
    ProfileForm,
    ReasonForm,
    ReviewForm,
    SearchForm,
    SessionTypeForm,
)
from sciaticare.directory.models import SessionType
from sciaticare.directory.ranking import MODALITIES
from sciaticare.directory.selectors.access import (
    administers,
    clinics_administered,
    credential_for,
    credential_to_check,
    profile_for_edit,
)
from sciaticare.directory.selectors.moderation import (
    credentials_to_check,
    review_to_hide,
    reviews_to_moderate,
    therapists_administered,
)
from sciaticare.directory.selectors.plan import flare_up_plan, plan_therapist_ids
from sciaticare.directory.selectors.profile import credentials_of, listed_therapist, public_profile
from sciaticare.directory.selectors.search import search_therapists

# The pages named like the services they call take those from their module.
from sciaticare.directory.services import credentials, reviews
from sciaticare.directory.services import profile as profile_services
from sciaticare.directory.services.plan import add_to_plan, move_in_plan, remove_from_plan
from sciaticare.directory.services.profile import (
    ProfileChanges,
    ensure_profile,
    set_standard_session,
    update_profile,
)
from sciaticare.directory.sessions import ledger


class _View(Protocol):
    def __call__(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse: ...


def _role_required(role: Role) -> Any:
    """Signed in and holding ``role``; anyone else gets the same 404 as a missing page."""

    def decorator(view: _View) -> _View:
        @login_required
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_role(role):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _found(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _report(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)


# --- Search and profiles --------------------------------------------------------------------


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


def profile(request: HttpRequest, pk: int) -> HttpResponse:
    public = _found(public_profile, profile_id=pk)
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
            "licence_verified": found.licence_valid_on(today),
            "modalities": [MODALITIES[code] for code in sorted(found.modalities)],
            "is_patient": is_patient,
            "in_plan": found.pk in plan_therapist_ids(patient=user),  # type: ignore[arg-type]
            "closed": bool(ledger().closed_to(patient=user, therapists=[found])),
            "can_review": bool(
                is_patient and reviews.reviewable_sessions(patient=user, therapist=found)  # type: ignore[arg-type]
            ),
            "can_edit": user.is_authenticated
            and (found.user_id == user.pk or administers(user, found)),
        },
    )


# --- A therapist's own entry ----------------------------------------------------------------


@_role_required(Role.THERAPIST)
def my_profile(request: AuthedRequest) -> HttpResponse:
    """A therapist's way in: their profile is made the first time they come."""
    own = ensure_profile(therapist=request.user)
    return redirect("directory:edit", pk=own.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _found(profile_for_edit, user=request.user, profile_id=pk)
    form = ProfileForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_profile(
                actor=request.user,
                profile=found,
                changes=ProfileChanges(
                    bio=data["bio"],
                    modalities=frozenset(data["modalities"]),
                    years_experience=data["years_experience"],
                    years_sciatica=data["years_sciatica"],
                    languages=data["languages_text"],
                    accepting_new_patients=data["accepting_new_patients"],
                    is_mobile=data["is_mobile"],
                    service_radius_km=data["service_radius_km"],
                    base_latitude=data["base_latitude"],
                    base_longitude=data["base_longitude"],
                    location_ids=[location.pk for location in data["locations"]],
                ),
            )
        except DomainError as exc:
            for field, message in exc.errors:
                form.add_error(field if field in form.fields else None, message)
            if not exc.errors:
                form.add_error(None, exc.message)
        else:
            messages.success(request, "Profile saved.")
            return redirect("directory:edit", pk=found.pk)
    return render(
        request,
        "directory/edit_profile.html",
        {
            "profile": found,
            "form": form,
            "session_form": SessionTypeForm(),
            "sessions": found.session_types.all(),
            "own": found.user_id == request.user.pk,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def add_session_type(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _found(profile_for_edit, user=request.user, profile_id=pk)
    form = SessionTypeForm(request.POST)
    if form.is_valid():
        try:
            profile_services.add_session_type(
                actor=request.user, profile=found, **form.cleaned_data
            )
        except DomainError as exc:
            _report(request, exc)
        else:
            messages.success(request, "Session added.")
    else:
        messages.error(request, "The session was not added: check its length and price.")
    return redirect(reverse("directory:edit", kwargs={"pk": found.pk}) + "#sessions")


def _session_for(request: AuthedRequest, session_id: int) -> SessionType:
    session = SessionType.objects.select_related("therapist__user").filter(pk=session_id).first()
    if session is None:
        raise Http404
    _found(profile_for_edit, user=request.user, profile_id=session.therapist_id)
    return session


@login_required
@require_POST
def make_standard_session(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    set_standard_session(actor=request.user, session=session)
    messages.success(request, f"“{session.name}” is now your standard session.")
    return redirect(reverse("directory:edit", kwargs={"pk": session.therapist_id}) + "#sessions")


@login_required
@require_http_methods(["GET", "POST"])
def remove_session_type(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = _session_for(request, session_id)
    back = reverse("directory:edit", kwargs={"pk": session.therapist_id}) + "#sessions"
    if request.method == "POST":
        try:
            profile_services.remove_session_type(actor=request.user, session=session)
        except DomainError as exc:
            _report(request, exc)
        else:
            messages.success(request, f"“{session.name}” removed.")
        return redirect(back)
    return render(
        request, "directory/confirm_remove_session.html", {"session": session, "back": back}
    )


@_role_required(Role.THERAPIST)
@require_http_methods(["GET", "POST"])
def my_credentials(request: AuthedRequest) -> HttpResponse:
    own = ensure_profile(therapist=request.user)
    form = CredentialForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data["document"]
            try:
                credentials.add_credential(
                    actor=request.user,
                    kind=data["kind"],
                    title=data["title"],
                    number=data["number"],
                    issuing_body=data["issuing_body"],
                    jurisdiction=data["jurisdiction"],
                    expires_on=data["expires_on"],
                    document=upload,
                    document_size=upload.size,
                )
            except DomainError as exc:
                for field, message in exc.errors or [("", exc.message)]:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    "Credential added. A clinic admin will check it; you'll see the result here.",
                )
                return redirect("directory:my_credentials")
        status = 400
    return render(
        request,
        "directory/credentials.html",
        {"profile": own, "form": form, "credentials": credentials_of(profile=own)},
        status=status,
    )


@login_required
def credential_document(request: AuthedRequest, credential_id: int) -> HttpResponse:
    """The document itself, to the therapist and the admins who check it; never cached
    (PrivateResponsesMiddleware)."""
    credential = _found(credential_for, user=request.user, credential_id=credential_id)
    response = HttpResponse(
        bytes(credential.document), content_type=documents.CONTENT_TYPES[credential.document_type]
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"credential-{credential.pk}.{credential.document_type}"
    )
    return response


# --- Clinic admin ---------------------------------------------------------------------------


def _clinic_admin_required(view: _View) -> _View:
    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.has_role(Role.CLINIC_ADMIN) or user.has_role(Role.SITE_ADMIN)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@_clinic_admin_required
def clinic(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "directory/clinic.html",
        {
            "clinics": clinics_administered(user=user).prefetch_related("locations"),
            "credentials": credentials_to_check(user=user),
            "reviews": reviews_to_moderate(user=user),
            "therapists": therapists_administered(user=user),
            "is_site_admin": user.has_role(Role.SITE_ADMIN),
        },
    )


@_clinic_admin_required
@require_http_methods(["GET", "POST"])
def verify_credential(request: AuthedRequest, credential_id: int) -> HttpResponse:
    credential = _found(credential_to_check, user=request.user, credential_id=credential_id)
    if request.method == "POST":
        try:
            credentials.verify_credential(actor=request.user, credential=credential)
        except DomainError as exc:
            _report(request, exc)
        else:
            messages.success(
                request, f"{credential.title} of {credential.therapist.name} verified."
            )
        return redirect("directory:clinic")
    return render(request, "directory/confirm_verify.html", {"credential": credential})


@_clinic_admin_required
@require_http_methods(["GET", "POST"])
def reject_credential(request: AuthedRequest, credential_id: int) -> HttpResponse:
    credential = _found(credential_to_check, user=request.user, credential_id=credential_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credentials.reject_credential(
                actor=request.user, credential=credential, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _report(request, exc)
        else:
            messages.success(
                request, f"{credential.title} of {credential.therapist.name} rejected."
            )
        return redirect("directory:clinic")
    return render(
        request,
        "directory/confirm_reject.html",
        {"credential": credential, "form": form},
        status=400 if form.errors else 200,
    )


@_clinic_admin_required
@require_http_methods(["GET", "POST"])
def hide_review(request: AuthedRequest, review_id: int) -> HttpResponse:
    review = _found(review_to_hide, user=request.user, review_id=review_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviews.hide_review(
                actor=request.user, review=review, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            _report(request, exc)
        else:
            messages.success(request, "Review hidden. Its words are kept, with your reason.")
        return redirect("directory:clinic")
    return render(
        request,
        "directory/confirm_hide_review.html",
        {"review": review, "form": form},
        status=400 if form.errors else 200,
    )


# --- Reviews by patients --------------------------------------------------------------------


@_role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def add_review(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _found(listed_therapist, profile_id=pk)
    sessions = reviews.reviewable_sessions(patient=request.user, therapist=found)
    form = ReviewForm(request.POST or None, sessions=sessions, therapist_name=found.name)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reviews.add_review(
                patient=request.user,
                therapist=found,
                session_id=data["session_id"],
                rating=data["rating"],
                text=data["text"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Thank you: your review is on the therapist's page.")
            return redirect("directory:profile", pk=found.pk)
    return render(
        request,
        "directory/review_form.html",
        {"profile": found, "form": form, "sessions": sessions},
        status=400 if form.errors else 200,
    )


# --- Flare-up plan --------------------------------------------------------------------------


@_role_required(Role.PATIENT)
def plan(request: AuthedRequest) -> HttpResponse:
    entries = flare_up_plan(viewer=request.user, patient=request.user)
    closed = ledger().closed_to(
        patient=request.user, therapists=[entry.therapist for entry in entries]
    )
    return render(
        request,
        "directory/plan.html",
        {"entries": entries, "closed": closed, "today": timezone.localdate(), "plan_size": 4},
    )


@_role_required(Role.PATIENT)
@require_POST
def plan_add(request: AuthedRequest) -> HttpResponse:
    try:
        therapist_id = int(request.POST.get("therapist", ""))
    except ValueError:
        raise Http404 from None
    found = _found(listed_therapist, profile_id=therapist_id)
    try:
        entry = add_to_plan(patient=request.user, therapist=found)
    except DomainError as exc:
        _report(request, exc)
    else:
        role = "your preferred therapist" if entry.is_preferred else "a backup"
        messages.success(request, f"{found.name} is now {role} in your flare-up plan.")
    return redirect(safe_next(request, reverse("directory:plan")))


@_role_required(Role.PATIENT)
@require_http_methods(["GET", "POST"])
def plan_remove(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    entries = flare_up_plan(viewer=request.user, patient=request.user)
    entry = next((e for e in entries if e.therapist_id == therapist_id), None)
    if entry is None:
        raise Http404
    if request.method == "POST":
        remove_from_plan(patient=request.user, therapist_id=therapist_id)
        messages.success(request, f"{entry.therapist.name} removed from your flare-up plan.")
        return redirect("directory:plan")
    return render(request, "directory/confirm_plan_remove.html", {"entry": entry})


@_role_required(Role.PATIENT)
@require_POST
def plan_move(request: AuthedRequest, therapist_id: int) -> HttpResponse:
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    _found(
        move_in_plan,
        patient=request.user,
        therapist_id=therapist_id,
        up=direction == "up",
    )
    return redirect("directory:plan")
