from django.db.models import QuerySet

from sciaticare.accounts.models import User
from sciaticare.audit.models import AuditEvent


def events_about(*, patient: User) -> QuerySet[AuditEvent]:
    """Every recorded access to this patient's data, newest first."""
    return AuditEvent.objects.filter(patient=patient).select_related("actor")
