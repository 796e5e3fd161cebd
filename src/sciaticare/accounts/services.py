"""Every write to accounts: roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from sciaticare.accounts.models import ApiToken, Role, User

TOKEN_PREFIX = "sct_"  # noqa: S105 - a public marker, not a secret


class TokenNotFound(Exception):
    """No such active token belongs to this user."""


def _digest(raw: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough; a slow one would only cost time.
    return hashlib.sha256(raw.encode()).hexdigest()


def grant_role(*, user: User, role: Role) -> None:
    """Give a person a role on top of the ones they hold."""
    field = {
        Role.PATIENT: "is_patient",
        Role.THERAPIST: "is_therapist",
        Role.CLINIC_ADMIN: "is_clinic_admin",
        Role.SITE_ADMIN: "is_superuser",
    }[role]
    setattr(user, field, True)
    update = [field]
    if role is Role.SITE_ADMIN:
        user.is_staff = True  # site admins use the Django admin
        update.append("is_staff")
    user.save(update_fields=update)


def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=raw[:12], digest=_digest(raw)
    )
    return token, raw


def revoke_api_token(*, user: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(user=user, pk=token_id, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise TokenNotFound(token_id)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        return token


def authenticate_api_token(raw: str) -> User | None:
    """The active user a bearer token belongs to, or None; records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # One write a minute at most: a busy script must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
