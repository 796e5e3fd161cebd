"""What every intake page checks: that the person signed in holds the page's role."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from sciaticare.accounts.models import Role
from sciaticare.accounts.types import AuthedRequest


def require_role(request: AuthedRequest, role: Role) -> None:
    """A 403 for anyone without ``role``."""
    if not request.user.has_role(role):
        raise PermissionDenied
