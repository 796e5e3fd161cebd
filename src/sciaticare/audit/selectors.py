from django.db.models import QuerySet

from sciaticare.accounts.models import User
from sciaticare.audit import history
from sciaticare.audit.models import AuditEvent

# How far back the access history page reads (events, not visits): months of ordinary use.
HISTORY_EVENTS = 5000


def events_about(*, patient: User) -> QuerySet[AuditEvent]:
    """Every recorded access to this patient's data, newest first."""
    return AuditEvent.objects.filter(patient=patient).select_related("actor")


def visits_about(*, patient: User, limit: int = 200) -> list[history.Visit]:
    """What other people did with this patient's data, one line per visit, latest first."""
    rows = (
        events_about(patient=patient)
        .exclude(actor=patient)
        .only(
            "at",
            "action",
            "object_type",
            "object_id",
            "reason",
            "actor__first_name",
            "actor__last_name",
            "actor__email",
        )[:HISTORY_EVENTS]
    )
    events = [
        history.Event(
            at=row.at,
            actor_id=row.actor_id,
            actor=row.actor.display_name if row.actor else "",
            action=row.action,
            object_key=f"{row.object_type}:{row.object_id}",
            reason=row.reason,
        )
        for row in rows
    ]
    return history.visits(events)[:limit]
