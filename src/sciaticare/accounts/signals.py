"""Login bookkeeping kept in the session: when the session began, for its absolute lifetime."""

import time
from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

SESSION_STARTED_KEY = "sciaticare_session_started"
SESSION_LAST_SEEN_KEY = "sciaticare_last_seen"


@receiver(user_logged_in)
def stamp_session_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_LAST_SEEN_KEY] = now
