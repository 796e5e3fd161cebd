"""Background work of the accounts app: the daily run that carries out due account deletions
(and drops downloaded archives and progress reports past their keeping time)."""

from __future__ import annotations

from django.tasks import task

from sciaticare.accounts import services
from sciaticare.interop import services_archive
from sciaticare.outcomes import services as outcome_services


def run_daily_deletions() -> tuple[int, int, int]:
    """(accounts erased, archives removed, reports removed). Deletions first: they are the
    promise made to people; the purges only tidy copies."""
    deleted = services.carry_out_due_deletions()
    return deleted, services_archive.purge_expired_exports(), outcome_services.purge_old_reports()


@task()
def carry_out_deletions() -> int:
    """Erase the accounts whose cooling-off has ended; returns how many. Run daily (cron)."""
    return run_daily_deletions()[0]
