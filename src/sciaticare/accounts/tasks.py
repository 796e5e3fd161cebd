"""Background work of the accounts app: the daily run that carries out due account deletions
(and drops downloaded archives past their keeping time)."""

from __future__ import annotations

from django.tasks import task

from sciaticare.accounts import services
from sciaticare.interop import services_archive


@task()
def carry_out_deletions() -> int:
    """Erase the accounts whose cooling-off has ended; returns how many. Run daily (cron)."""
    services_archive.purge_expired_exports()
    return services.carry_out_due_deletions()
