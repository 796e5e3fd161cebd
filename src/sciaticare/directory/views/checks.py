"""What every directory page checks: who may open it, and how a refusal is answered (a 404 for
what the person may not see, a message for a write the service refused)."""

from __future__ import annotations

from functools import wraps
from typing import Any, Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest
from sciaticare.core.errors import DomainError, NotFound


class _View(Protocol):
    def __call__(self, request: Any, *args: Any, **kwargs: Any) -> HttpResponse: ...


def role_required(role: Role) -> Any:
    """Signed in and holding ``role``; anyone else gets the same 404 as a missing page."""

    def decorator(view: _View) -> _View:
        @login_required
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_role(role):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def clinic_admin_required(view: _View) -> _View:
    """Signed in as a clinic admin or a site admin; anyone else gets a 404."""

    @login_required
    @wraps(view)
    def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.has_role(Role.CLINIC_ADMIN) or user.has_role(Role.SITE_ADMIN)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def found_or_404(fn: Any, **kwargs: Any) -> Any:
    """``fn(**kwargs)``, its NotFound answered as a 404."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def report_refusal(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, exc.message)
