"""The one helper every read or write of patient data calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models

from sciaticare.audit import context
from sciaticare.audit.models import AuditEvent

if TYPE_CHECKING:
    from sciaticare.accounts.models import User


def record_event(
    *,
    actor: User | None,
    action: str,
    patient: User | None,
    obj: models.Model | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append who did `action` to whose data (and to which object), from the current request."""
    request = context.current.get()
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        patient=patient,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=request.ip if request else None,
        request_id=request.request_id if request else "",
        reason=reason,
    )


def record_events(*, actor: User | None, action: str, patients: Iterable[User]) -> None:
    """``record_event`` for one read that shows several patients' data (a list of them): one
    row per patient, written in one statement, so the list's queries do not grow with it."""
    request = context.current.get()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            patient=patient,
            ip=request.ip if request else None,
            request_id=request.request_id if request else "",
        )
        for patient in patients
    )
