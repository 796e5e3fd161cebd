"""A reminder, at sign-in, of a pending account deletion."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext

from sciaticare.accounts.selectors import local_now
from sciaticare.core.display import day
from sciaticare.privacy.services import pending_deletion


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
        # In the account's language: the sign-in page was read in the browser's.
        with translation.override(user.language):
            messages.warning(
                request,
                gettext(
                    "Your account is due to be deleted on %(day)s. To keep it, cancel on the "
                    "Your data page (Account > Your data)."
                )
                % {"day": day(local_now(user, found.due_at), "long")},
            )
