"""Login bookkeeping kept in the session (when the session began, for its absolute lifetime),
the request that set up an authenticator, and API tokens revoked when the password changes."""

import time
from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from sciaticare.accounts.services import revoke_all_api_tokens

SESSION_STARTED_KEY = "sciaticare_session_started"
SESSION_LAST_SEEN_KEY = "sciaticare_last_seen"
# Set on the request whose own code set up an authenticator (accounts/middleware.py).
ENROLLED_HERE = "sciaticare_enrolled_authenticator"


@receiver(user_logged_in)
def stamp_session_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_LAST_SEEN_KEY] = now


@receiver(password_changed)
@receiver(password_reset)
@receiver(password_set)
def revoke_tokens_with_the_old_password(sender: Any, user: Any, **kwargs: Any) -> None:
    """A new password ends every API token: whoever knew the old one may have made them. (The
    Django admin's password form does the same: accounts/admin.py.)"""
    revoke_all_api_tokens(user=user, reason="password changed")


@receiver(authenticator_added)
def mark_the_enrolling_request(
    sender: Any, request: HttpRequest | None, authenticator: Authenticator, **kwargs: Any
) -> None:
    """allauth sends this from the request that set the authenticator up, once its code was
    right: that request, and no other of the same account, may count it as a second step."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        setattr(request, ENROLLED_HERE, authenticator)
