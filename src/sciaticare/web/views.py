import hashlib
import json
import sys
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, gettext
from django.views import defaults
from django.views.decorators.http import require_GET

from sciaticare.accounts.models import Role, User
from sciaticare.accounts.selectors import day_span, today_for
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError, NotFound
from sciaticare.core.outage import outage_of
from sciaticare.directory.selectors.access import clinics_run_by
from sciaticare.directory.selectors.plan import flare_up_plan
from sciaticare.exercises.library import LIBRARY, drawing_of
from sciaticare.exercises.selectors.plans import flagged_clients
from sciaticare.exercises.selectors.programme import tick_clock, today_rows
from sciaticare.intake.selectors import current_intake, mark_do_not_treat, triage_alert
from sciaticare.outcomes.forms import PainForm
from sciaticare.outcomes.selectors import dashboard_relief_for
from sciaticare.records.selectors import overdue_for
from sciaticare.scheduling import payments
from sciaticare.scheduling.selectors.appointments import appointments_of, coming_up
from sciaticare.scheduling.selectors.waitlist import open_offers_of


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


def _next_sessions(patient: User, now: datetime) -> dict[str, list[Any]]:
    booked, held = coming_up(patient=patient, now=now)
    return {"upcoming": booked, "waiting": [(a, payments.desk().deposit_page(a)) for a in held]}


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
            # Today's exercises, one tap each: one query (exercises/selectors/day.py).
            exercises_today=today_rows(patient=user, day=today_for(user, now)),
            tick_clock=tick_clock(user),
            # Only the joins the cards show: compiling the others cost ≈ 3 ms of CPU a page.
            offers=list(open_offers_of(patient=user, now=now).select_related(None)),
            # The next sessions and any booking held for its deposit (where to pay, before the
            # hold ends), in the one query the budget allows (tests/outcomes/test_dashboard.py).
            **_next_sessions(user, now),
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
            # Home exercises a client marked as spreading or worse, before their next session.
            flagged=flagged_clients(therapist=user),
        )
        # "Do not treat" on each row whose patient's intake now says emergency or urgent.
        mark_do_not_treat(today)
    if user.has_role(Role.CLINIC_ADMIN):
        # Each clinic's own systems: moving in from another, webhooks out.
        context["clinics_run"] = list(clinics_run_by(user=user).only("pk", "name"))
    return render(request, "web/dashboard.html", context)


# --- The installable app (docs/offline.md) ------------------------------------------------

THEME = "#0b5d7a"  # site.css --brand
BACKGROUND = "#ffffff"  # site.css --paper
ICONS = [
    ("web/icons/icon-192.png", "192x192", "any"),
    ("web/icons/icon-512.png", "512x512", "any"),
    ("web/icons/maskable-512.png", "512x512", "maskable"),
]
# What every page loads (base.html) and the diary's scripts: kept by the service worker.
SHELL_FILES = [
    "web/site.css",
    "web/tables.js",
    "web/pwa.js",
    "django_htmx/htmx-2.min.js",
    "web/favicon.svg",
    "outcomes/quick-log.js",
    "outcomes/offline-diary.js",
    # The exercise programme's page and ticks, with the library's drawings.
    "exercises/exercises.css",
    "exercises/programme.css",
    "exercises/ticks.js",
    *(path for entry in LIBRARY if (path := drawing_of(entry.slug))),
    *(path for path, _, _ in ICONS),
]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what a phone needs to install Sciaticare as an app. Its words are in
    the language being answered in: the browser's (a manifest is fetched without cookies), which
    is the language of the phone it is installed on; the name is the product's in both."""
    body = {
        "id": "/",
        "name": "Sciaticare",
        "short_name": "Sciaticare",
        "description": gettext(
            "Log your back and leg pain, check your symptoms, find a massage therapist and book."
        ),
        "lang": get_language(),
        "start_url": reverse("web:dashboard"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME,
        "background_color": BACKGROUND,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = HttpResponse(json.dumps(body, indent=1), content_type="application/manifest+json")
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that it may serve every page (its default
    scope is the folder it is served from). Its text names each kept file by its versioned URL,
    so a changed file changes the worker and browsers install the new one."""
    config = {
        "shell": [static(path) for path in SHELL_FILES],
        # Public pages kept at install, fetched without cookies (the same for everyone).
        "public_pages": [reverse("web:offline"), reverse("check_emergency")],
        "offline_page": reverse("web:offline"),
        # The pages with the person's own data that are kept: their diary and their exercise
        # programme, nothing else.
        "own_pages": [reverse("outcomes:diary"), reverse("exercises:my_programme")],
        "static_prefix": settings.STATIC_URL,
        # What a reminder's notification shows beside its text.
        "icon": static("web/icons/icon-192.png"),
    }
    source = render_to_string("web/sw.js", {"config": json.dumps(config, indent=1)})
    version = hashlib.sha256(source.encode()).hexdigest()[:16]
    response = HttpResponse(
        source.replace("__VERSION__", version), content_type="text/javascript; charset=utf-8"
    )
    # Browsers check for a new worker on navigation; never let a cache answer for it.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the app shows for a page it cannot reach and has not kept (the service worker keeps
    this page at install)."""
    return render(request, "web/offline.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid token: most often a page left open while the person signed
    in or out in another tab. Said in the page's language, with the way on, never Django's
    bare debugging page."""
    return render(request, "web/csrf_failure.html", status=403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's answer to an address no route matches (urls.handler404): under /api/ the
    API's Problem body as JSON, as every other API error is (a program asking for
    `/api/v1/therapists/1/`, with a slash, gets a body it can read); elsewhere the 404 page."""
    if request.path.startswith("/api/"):
        missing = NotFound("page")
        return JsonResponse(missing.problem(), status=missing.status)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's answer to a request it refused before any view (urls.handler400): a body over
    `DATA_UPLOAD_MAX_MEMORY_SIZE`, a malformed cookie or header. Under /api/ the API's Problem
    as JSON, 413 for a body too large to read; elsewhere the 400 page."""
    if not request.path.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1000
        refused = DomainError(
            "body_too_large",
            gettext("The request's body is larger than the %(limit)d kB allowed.")
            % {"limit": limit},
        )
        return JsonResponse(refused.problem(), status=413)
    unreadable = DomainError("bad_request", gettext("The request could not be read."))
    return JsonResponse(unreadable.problem(), status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's answer to an error nothing else handled (urls.handler500): when the database
    was away or too slow (core/outage.py), 503 with Retry-After, as JSON under /api/ and as a
    page elsewhere; any other error, the plain 500 page.

    A handler, not a middleware's process_exception: that sees only a view's errors, while a
    signed-in person's request first meets the database in middleware (their session, their
    language) and an API call in its rate limit. Django calls this inside its `except` block,
    so the error is `sys.exception()`. Nothing here reads the database."""
    outage = outage_of(sys.exception())
    if outage is None:
        return defaults.server_error(request)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(outage.problem(), status=503)
    else:
        page = render_to_string(
            "503.html", {"message": outage.message, "again": request.get_full_path()}
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(outage.retry_after)
    return response
