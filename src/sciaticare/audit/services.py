"""The one helper every read or write of patient data calls."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection, models

from sciaticare.audit import context
from sciaticare.audit.models import AuditEvent
from sciaticare.core.sql import fetch_rows, table

if TYPE_CHECKING:
    from sciaticare.accounts.models import User


# Plain SQL: nearly every request that touches a patient's data writes one of these, and the
# ORM's insert cost several times the database's share (docs/benchmarks.md).
_RECORD_SQL = f"""
INSERT INTO {table(AuditEvent)}
       (at, actor_id, action, patient_id, object_type, object_id, ip, request_id, reason)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
RETURNING id
"""  # noqa: S608 - the table name from the model; values go as parameters


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
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        patient=patient,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=request.ip if request else None,
        request_id=request.request_id if request else "",
        reason=reason,
    )
    ops = connection.ops
    ((pk,),) = fetch_rows(
        _RECORD_SQL,
        [
            ops.adapt_datetimefield_value(event.at),
            event.actor_id,
            event.action,
            event.patient_id,
            event.object_type,
            event.object_id,
            ops.adapt_ipaddressfield_value(event.ip),
            event.request_id,
            event.reason,
        ],
    )
    event.inserted_as(pk)
    return event


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
