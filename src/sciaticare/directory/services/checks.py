"""What every directory write checks: the model's validation as a domain error, and who may edit."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sciaticare.accounts.models import User
from sciaticare.core.errors import DomainError, Invalid
from sciaticare.directory.models import (
    TherapistProfile,
)
from sciaticare.directory.selectors.access import administers


class NotAllowed(DomainError):
    """The actor can see the object but may not do this to it."""

    status = 403


def invalid_from(exc: ValidationError) -> Invalid:
    errors = [
        (field if field != "__all__" else "", message)
        for field, messages in exc.message_dict.items()
        for message in messages
    ]
    return Invalid("invalid", _("Some fields are not valid."), errors)


def full_clean(obj: object, **kwargs: object) -> None:
    try:
        obj.full_clean(**kwargs)  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise invalid_from(exc) from exc


def may_edit(actor: User, profile: TherapistProfile) -> bool:
    return profile.user_id == actor.pk or administers(actor, profile)
