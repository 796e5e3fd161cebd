"""Session lifetime, the staff two-factor rule and the person's language, applied to every
request."""

import time
from collections.abc import Callable

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import TwoFactorStep, two_factor_step_due
from sciaticare.accounts.signals import ENROLLED_HERE, SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from sciaticare.accounts.two_factor import tell_set_up_elsewhere, was_set_up_elsewhere
from sciaticare.core.errors import DomainError

# The pages and API routes a signed-in staff member may use before passing two-factor, by URL
# name (API operations by their route): they hold no patient data, or they are the way through
# the second step. Everything else, including any route added later, is gated.
OPEN_BEFORE_TWO_FACTOR = frozenset(
    {
        "web:home",
        "check",  # the public symptom check
        "check_emergency",  # its emergency advice, on a page of its own
        "web:manifest",  # the installable app: manifest, service worker, offline page
        "web:service_worker",
        "web:offline",
        "directory:search",  # the public directory: its search and a therapist's public page
        "directory:profile",
        "exercises:library",  # the public exercise library: built-in exercises, nobody's data
        "exercises:exercise",
        "accounts:language",  # the language switcher
        "account_login",
        "account_logout",
        "mfa_authenticate",
        "mfa_reauthenticate",  # where a session that has not passed its second step is sent
        "api-v1:openapi-json",
        "api-v1:openapi-view",
        "api/v1/triage",
        "api/v1/therapists",
        "api/v1/therapists/<therapist_id>",
    }
)
# And, for a staff member with no authenticator yet, the pages that set one up and keep the
# account in order (no patient data on any of them).
OPEN_BEFORE_ENROLMENT = OPEN_BEFORE_TWO_FACTOR | {
    "accounts:account",
    "mfa_index",
    "mfa_activate_totp",
    "account_reauthenticate",  # asked for before a device can be added
    "account_change_password",
    "account_email",
    "account_confirm_email",
}


def is_open_before_two_factor(path: str, step: TwoFactorStep) -> bool:
    """Whether a staff member owing `step` may request `path`."""
    try:
        match = resolve(path)
    except Resolver404:
        return True  # nothing is served there: the 404 shows no data
    open_names = OPEN_BEFORE_ENROLMENT if step is TwoFactorStep.ENROL else OPEN_BEFORE_TWO_FACTOR
    return match.view_name in open_names or match.route in open_names


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
                    ended_error = DomainError("session_ended", gettext("Your session has ended."))
                    ended = JsonResponse(ended_error.problem(), status=401)
                    ended["WWW-Authenticate"] = "Bearer"  # as every API 401 (api.py)
                    return ended
                messages.info(
                    request,
                    gettext("You were signed out to keep health data safe. Please sign in again."),
                )
                return redirect(f"{reverse('account_login')}?next={request.path}")
            # A write per minute at most: idle time is measured to the minute.
            if now - last_seen > 60 or SESSION_STARTED_KEY not in request.session:
                request.session[SESSION_STARTED_KEY] = started
                request.session[SESSION_LAST_SEEN_KEY] = now
        return self.get_response(request)


def _count_enrolment_as_second_step(request: HttpRequest, user: User) -> None:
    """Setting up an authenticator takes a code from it: the session whose request has just
    done so has passed two-factor, as a sign-in with that code would. Only that request
    (marked by accounts/signals.py): another session of the account, its request held open
    on the same page while the owner set up theirs, has given no code (an outside test found
    it counted when the device was looked up afterwards)."""
    device: Authenticator | None = getattr(request, ENROLLED_HERE, None)
    if device is not None and device.user_id == user.pk:
        record_authentication(request, user, "mfa", id=device.pk, type=device.type)


class StaffMfaMiddleware:
    """Keeps therapists and admins away from every page with patient data until this session
    has passed two-factor: without an authenticator they are sent to set one up; with one, to
    enter its code (a password-only session, e.g. from the Django admin's login)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        step = two_factor_step_due(request=request, user=user)
        if step is None:
            return self.get_response(request)
        if is_open_before_two_factor(request.path_info, step):
            response = self.get_response(request)
            if step is TwoFactorStep.ENROL and request.path_info == reverse("mfa_activate_totp"):
                _count_enrolment_as_second_step(request, user)
            return response
        if step is TwoFactorStep.ENROL:
            detail = gettext("Set up two-factor authentication before you can see patient data.")
        else:
            detail = gettext("Enter your two-factor code before you can see patient data.")
        if _is_api(request):
            return JsonResponse({"detail": detail, "errors": []}, status=403)
        if step is TwoFactorStep.ENTER_CODE and was_set_up_elsewhere(request):
            tell_set_up_elsewhere(request)  # says to use the other session's app instead
        else:
            messages.warning(request, detail)
        if step is TwoFactorStep.ENROL:
            return redirect("mfa_activate_totp")
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.path})}")


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


class SignOutClearsSiteMiddleware:
    """Signing out tells the browser to forget what the site kept on the device: the offline
    app's caches, its queue of diary entries and its service worker (docs/offline.md). Only
    the sign-out button: a session that merely ended keeps the queue, to send once the person
    signs in again, and the worker drops the kept diary page itself (web/sw.js)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if (
            request.method == "POST"
            and match is not None
            and match.view_name == "account_logout"
            and not request.user.is_authenticated
        ):
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class PersonLanguageMiddleware:
    """A signed-in person reads the site in the language kept on their account (docs/i18n.md),
    whatever the browser asks for; everyone else gets Django's choice (the switcher's cookie,
    else Accept-Language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
