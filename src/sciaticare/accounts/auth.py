"""How the API knows who is calling: a bearer token for programs, the session for the browser."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from sciaticare.accounts import services
from sciaticare.accounts.selectors import TwoFactorStep, needs_mfa_enrollment, two_factor_step_due

ENROL_FIRST = gettext_noop("Set up two-factor authentication before you can see patient data.")
ENTER_CODE = gettext_noop("Enter your two-factor code before you can see patient data.")


def _admit_token(request: HttpRequest, user: Any) -> Any:
    # A token is made only from a session that passed two-factor (accounts/views.py); a staff
    # member who has since removed their authenticator is held back like a browser would be.
    if needs_mfa_enrollment(user):
        raise HttpError(403, gettext(ENROL_FIRST))
    request.user = user
    return user


def _admit_session(request: HttpRequest, user: Any) -> Any:
    step = two_factor_step_due(request=request, user=user)
    if step is TwoFactorStep.ENROL:
        raise HttpError(403, gettext(ENROL_FIRST))
    if step is TwoFactorStep.ENTER_CODE:
        raise HttpError(403, gettext(ENTER_CODE))
    request.user = user
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.authenticate_api_token(token)
        return _admit_token(request, user) if user is not None else None


class BrowserSession(SessionAuth):
    """The signed-in session, with Django's CSRF check on unsafe methods."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing to forge: skip the CSRF check so the
        # caller gets the 401 that says to sign in, not a 403 about a token.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _admit_session(request, user) if user is not None else None


api_auth = [BearerToken(), BrowserSession()]
