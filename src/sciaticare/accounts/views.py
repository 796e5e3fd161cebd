import math
import time
from typing import Any

from allauth.account.decorators import reauthentication_required
from allauth.core.internal import ratelimit as ratelimit_internals
from allauth.mfa.totp.views import ActivateTOTPView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import IntegrityError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sciaticare.accounts import selectors, services
from sciaticare.accounts.forms import ApiTokenForm, PhoneForm, TimeZoneForm
from sciaticare.accounts.models import Role
from sciaticare.accounts.two_factor import tell_set_up_elsewhere, was_set_up_elsewhere
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.ratelimits import retry_message


def _account_page(
    request: AuthedRequest,
    *,
    form: ApiTokenForm | None = None,
    zone_form: TimeZoneForm | None = None,
    phone_form: PhoneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "roles": [role for role in Role if user.has_role(role)],
            "tokens": selectors.api_tokens_for(user=user),
            "form": form or ApiTokenForm(),
            "zone_form": zone_form or TimeZoneForm(initial={"time_zone": user.time_zone}),
            "phone_form": phone_form or PhoneForm(user=user),
            "local_now": selectors.local_now(user),
            "zone": selectors.zone_name(user),
            "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS,
        },
        status=status,
    )


@login_required
def account(request: AuthedRequest) -> HttpResponse:
    return _account_page(request)


@login_required
@require_POST
def time_zone(request: AuthedRequest) -> HttpResponse:
    """Change the person's zone; a zone we do not know is a 400 naming the field."""
    form = TimeZoneForm(request.POST, initial={"time_zone": request.user.time_zone})
    if not form.is_valid():
        return _account_page(request, zone_form=form, status=400)
    services.set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
    messages.success(
        request, _("Your time zone is now %(zone)s.") % {"zone": request.user.time_zone}
    )
    return redirect("accounts:account")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The language switcher, for everyone: the choice is kept in a cookie, and on the account
    of a signed-in person (their mail and reminders follow it). Back to the page it was used on."""
    code = request.POST.get("language", "")
    if not services.is_language(code):
        return HttpResponseBadRequest(
            _("Choose one of the languages the site is written in: %(codes)s.")
            % {"codes": ", ".join(c for c, _name in settings.LANGUAGES)}
        )
    if request.user.is_authenticated:
        services.set_language(user=request.user, language=code)
    translation.activate(code)
    back = request.POST.get("next", "")
    # A path on this site, never a view name (`redirect` would try to reverse "a:b") nor
    # another site.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "/"
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@login_required
@require_POST
def phone(request: AuthedRequest) -> HttpResponse:
    """Keep the person's mobile number (for text reminders) or remove it; one we cannot text is
    a 400 naming the field and what was wrong."""
    form = PhoneForm(request.POST, user=request.user)
    if not form.is_valid():
        return _account_page(request, phone_form=form, status=400)
    services.set_phone(user=request.user, phone=form.cleaned_data["phone"])
    messages.success(
        request,
        _("Your mobile number is saved.")
        if request.user.phone
        else _("Your mobile number is removed."),
    )
    return redirect("accounts:account")


@login_required
@require_POST
@reauthentication_required
def create_token(request: AuthedRequest) -> HttpResponse:
    """Make a token: the password again first (allauth re-authentication; the form is kept and
    sent on once it is given), as for changing the email or password. A token outlives the
    browser session, so a session left open must not be enough to mint one."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form=form, status=400)
    token, raw = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
    # Shown once, on this response only; never stored, never in a redirect URL.
    response = render(request, "accounts/token_created.html", {"token": token, "raw": raw})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke_token(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = (
        selectors.api_tokens_for(user=request.user)
        .filter(pk=token_id, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise Http404(_("No such token"))
    if request.method == "POST":
        services.revoke_api_token(user=request.user, token_id=token.pk)
        messages.success(
            request,
            _("Token “%(name)s” revoked. Programs using it can no longer sign in.")
            % {"name": token.name},
        )
        return redirect("accounts:account")
    return render(request, "accounts/token_revoke_confirm.html", {"token": token})


class ActivateTotp(ActivateTOTPView):
    """allauth's set-up page for an authenticator app, with an answer for two sessions of one
    account sending right codes at once: both pass the check that none is set up yet, and the
    later save breaks the rule of one per account (allauth leaves that to a 500). The one saved
    first stands; this session's code proved nothing about it, so it still owes its second
    step (accounts/middleware.py)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Shown a key to scan before another session set one up, moments or minutes ago.
        if request.user.is_authenticated and was_set_up_elsewhere(request):
            tell_set_up_elsewhere(request)
            return redirect("mfa_index")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            return super().form_valid(form)
        except IntegrityError:  # the flow's own transaction is rolled back: nothing half-saved
            tell_set_up_elsewhere(self.request)
            return redirect("mfa_index")


activate_totp = ActivateTotp.as_view()


# allauth's rate-limited actions, by the page that counts them (ACCOUNT_RATE_LIMITS).
_LIMITED_ACTIONS = {
    "account_login": ("login", "login_failed"),
    "account_signup": ("signup",),
    "account_reset_password": ("reset_password",),
    "account_reset_password_from_key": ("reset_password_from_key",),
    "account_change_password": ("change_password",),
    "account_set_password": ("change_password",),
    "account_email": ("manage_email",),
    "account_email_verification_sent": ("confirm_email",),
    "account_confirm_email": ("confirm_email",),
    "account_reauthenticate": ("reauthenticate",),
    "mfa_reauthenticate": ("reauthenticate",),
    "mfa_authenticate": ("login_failed",),
}


def _retry_after(request: HttpRequest) -> int:
    """Whole seconds until allauth lets this client try again.

    allauth keeps, per limit, the times of the recent attempts (a sliding window). For limits
    per address or per account the wait is exact: until the oldest attempt that still counts
    leaves the window. Limits per email address cannot be looked up here (the address is in the
    form, not in the request's identity), so when none of the others is spent the answer is the
    longest such window, after which the limit is surely clear.
    """
    try:
        name = resolve(request.path_info).view_name
    except Resolver404:
        name = ""
    actions = _LIMITED_ACTIONS.get(name, ())
    now = time.time()
    exact: list[float] = []
    fallback: list[float] = [60]
    for action in actions:
        for rate in ratelimit_internals.get_rates(app="allauth.account", action=action):
            if rate.per == "key" or (rate.per == "user" and not request.user.is_authenticated):
                fallback.append(rate.duration)
                continue
            key = ratelimit_internals.get_cache_key(
                request, app="allauth.account", action=action, rate=rate
            )
            history = [at for at in cache.get(key, []) if at > now - rate.duration]
            if len(history) >= rate.amount:
                exact.append(sorted(history, reverse=True)[rate.amount - 1] + rate.duration - now)
            else:
                fallback.append(rate.duration)
    wait = max(exact) if exact else max(fallback)
    return max(1, math.ceil(wait))


def too_many_attempts(request: HttpRequest) -> HttpResponse:
    """allauth's answer when sign-in, sign-up or a password reset is rate limited
    (ACCOUNT_RATE_LIMITS), with `Retry-After` as the API's own 429 has (RFC 9110 §10.2.3)."""
    wait = _retry_after(request)
    response = render(
        request, "429.html", {"message": retry_message(wait), "wait": wait}, status=429
    )
    response["Retry-After"] = str(wait)
    return response
