"""Background work of the privacy app: the daily run that carries out due account deletions
and drops copies past their keeping time (downloaded archives, progress reports)."""

from __future__ import annotations

from django.tasks import task

from sciaticare.privacy import erasure, services


def run_daily_deletions() -> tuple[int, list[tuple[str, int]]]:
    """(accounts erased, [(what, how many removed)] per purge). Deletions first: they are the
    promise made to people; the purges only tidy copies."""
    deleted = services.carry_out_due_deletions()
    return deleted, [(purge.what, purge.run()) for purge in erasure.purges()]


@task()
def carry_out_deletions() -> int:
    """Erase the accounts whose cooling-off has ended; returns how many. Run daily (cron)."""
    return run_daily_deletions()[0]
