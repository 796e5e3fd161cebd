"""Session lifetime and the staff two-factor rule, applied to every request."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from sciaticare.accounts.selectors import needs_mfa_enrollment
from sciaticare.accounts.signals import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY

# Paths a staff member without two-factor may still use: they hold no patient data.
MFA_FREE_PATHS = (
    "/accounts/",
    "/account/",
    "/static/",
    "/check/",
    "/api/v1/triage",
    # The public directory: anyone may search it, with or without an account.
    "/therapists/",
    "/api/v1/therapists",
)
MFA_FREE_EXACT = ("/", "/api/v1/docs", "/api/v1/openapi.json")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, and after 30 idle minutes for staff roles."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED_KEY, now)
            last_seen = request.session.get(SESSION_LAST_SEEN_KEY, now)
            too_old = now - started > settings.SESSION_ABSOLUTE_SECONDS
            idle = user.has_staff_role and now - last_seen > settings.STAFF_IDLE_SECONDS
            if too_old or idle:
                logout(request)
                if _is_api(request):
                    return JsonResponse(
                        {"detail": "Your session has ended.", "errors": []}, status=401
                    )
                messages.info(
                    request, "You were signed out to keep health data safe. Please sign in again."
                )
                return redirect(f"{reverse('account_login')}?next={request.path}")
            # A write per minute at most: idle time is measured to the minute.
            if now - last_seen > 60 or SESSION_STARTED_KEY not in request.session:
                request.session[SESSION_STARTED_KEY] = started
                request.session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)


class StaffMfaMiddleware:
    """Keeps therapists and admins without two-factor away from every page with patient data."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        exempt = path in MFA_FREE_EXACT or path.startswith(MFA_FREE_PATHS)
        if not exempt and request.user.is_authenticated and needs_mfa_enrollment(request.user):
            detail = "Set up two-factor authentication before you can see patient data."
            if _is_api(request):
                return JsonResponse({"detail": detail, "errors": []}, status=403)
            messages.warning(request, detail)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Marks every answer given to a signed-in user or a token holder `private, no-store`.

    Such pages may hold health data: no shared proxy may keep them, and the browser must not
    show them again from its cache after sign-out (ASVS V8.2.1). Public pages keep their
    caching, and a view that already chose its own Cache-Control keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        personal = (
            user is not None and user.is_authenticated
        ) or "Authorization" in request.headers
        if personal and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
