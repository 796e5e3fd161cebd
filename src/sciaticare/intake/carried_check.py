"""The symptom check's answers, kept in the person's browser until they sign up or book.

Nothing of an anonymous check is stored on the server (not even a session row): the answers
travel in a signed cookie that lives as long as the browser session (no expiry date), is
unreadable to scripts, and is honoured for ``HOLDS_FOR`` after the check. Sign-up, the intake
and booking read it (``recall``) to show the answers for confirmation rather than ask again,
and drop it (``forget``) once an intake holds them. The signature only proves the server wrote
it: a person can always answer again, and a recalled answer is shown to be confirmed, never
taken silently.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from sciaticare.intake.symptom_check import CheckState

COOKIE = "sciaticare_check"
_SALT = "sciaticare.intake.carried_check"
# Long enough to sign up and book after a check; short enough that a shared computer's next
# person does not find yesterday's answers.
HOLDS_FOR = timedelta(hours=2)


def remember(response: HttpResponse, state: CheckState) -> None:
    """Keep the check's answers in the browser (a session cookie, signed, HttpOnly)."""
    value = signing.dumps(
        {"a": state.answers, "age": state.age, "on": state.onset_weeks},
        salt=_SALT,
        compress=True,
    )
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def recall(request: HttpRequest) -> CheckState | None:
    """The answers of this browser's check within ``HOLDS_FOR``, or None (none, stale, forged)."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        data: dict[str, Any] = signing.loads(raw, salt=_SALT, max_age=HOLDS_FOR)
        answers = {str(code): bool(value) for code, value in dict(data["a"]).items()}
        age = data.get("age")
        onset = data.get("on")
        return CheckState(
            answers=answers,
            age=int(age) if age is not None else None,
            onset_weeks=float(onset) if onset is not None else None,
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def forget(response: HttpResponse) -> None:
    """Drop the answers from the browser (an intake now holds them, or the person asked)."""
    response.delete_cookie(COOKIE, samesite="Lax")


def digest(state: CheckState) -> str:
    """A short fingerprint of the answers, for a page to show them and then take only the
    answers it showed (a check taken again in another tab changes it)."""
    onset = None if state.onset_weeks is None else float(state.onset_weeks)
    canonical = json.dumps({"a": state.answers, "age": state.age, "on": onset}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]
