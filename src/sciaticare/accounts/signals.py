"""Login bookkeeping kept in the session (when the session began, for its absolute lifetime),
a reminder of a pending account deletion, and API tokens revoked when the password changes."""

import time
from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from sciaticare.accounts.services import pending_deletion, revoke_all_api_tokens

SESSION_STARTED_KEY = "sciaticare_session_started"
SESSION_LAST_SEEN_KEY = "sciaticare_last_seen"


@receiver(user_logged_in)
def stamp_session_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_LAST_SEEN_KEY] = now


@receiver(user_logged_in)
def remind_pending_deletion(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """Signing in during the cooling-off period does not cancel a deletion (only the button
    does), but it says when it will happen and where to cancel."""
    if request is None or not hasattr(request, "_messages"):
        return
    found = pending_deletion(user=user)
    if found is not None:
        messages.warning(
            request,
            f"Your account is due to be deleted on {timezone.localtime(found.due_at):%d %B %Y}. "
            "To keep it, cancel on the Your data page (Account > Your data).",
        )


@receiver(password_changed)
@receiver(password_reset)
@receiver(password_set)
def revoke_tokens_with_the_old_password(sender: Any, user: Any, **kwargs: Any) -> None:
    """A new password ends every API token: whoever knew the old one may have made them. (The
    Django admin's password form does the same: accounts/admin.py.)"""
    revoke_all_api_tokens(user=user, reason="password changed")
