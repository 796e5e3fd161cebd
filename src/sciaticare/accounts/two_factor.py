"""What a session is told when the account's authenticator was set up in another session
while this one was still being shown a key to scan (found by outside tests)."""

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, clear_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext


def tell_set_up_elsewhere(request: HttpRequest) -> None:
    """Drop the key this session was shown (its codes can never work) and say why."""
    clear_totp_secret(request)
    messages.error(
        request,
        gettext(
            "Two-factor authentication was set up a moment ago from another session of your "
            "account. Use the authenticator app set up there, and remove the entry you have "
            "just scanned: its codes will not work."
        ),
    )


def was_set_up_elsewhere(request: HttpRequest) -> bool:
    """Whether this session holds a key to scan while the account already has an
    authenticator app: one set up by another session since this one was shown its key."""
    return SECRET_SESSION_KEY in request.session and is_mfa_enabled(
        request.user, [Authenticator.Type.TOTP]
    )
