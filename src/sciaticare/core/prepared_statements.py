"""Prepared statements kept across a rollback (PostgreSQL; settings.py turns preparing on).

psycopg forgets every statement a connection has prepared at each ROLLBACK, ROLLBACK TO
SAVEPOINT included (and tells the server to DEALLOCATE ALL), in case the transaction undone
had changed the tables under them. A request refused inside a transaction rolls back: a
booking of a time just taken, a savepoint around an insert the database refused. Under the
load mix that was every few dozen requests on each connection, so its statements were
forgotten before most of them had run the five times that prepare them, and preparing gained
little: 341–400 requests/s with it on or off, 511–537 once kept (docs/benchmarks.md,
"Prepared statements").

A rollback undoes no prepared statement on the server, and no request changes the schema
(migrations run in their own process), so a connection keeps its statements across one. What
psycopg reads as a change of schema still empties them, as before: DROP, ALTER, DISCARD ALL,
DEALLOCATE ALL.

This replaces psycopg's per-connection cache manager, a private class: the version is pinned
(pyproject.toml) and tests/core/test_prepared_statements.py fails if an upgrade changes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from psycopg import pq
from psycopg._preparing import Prepare, PrepareManager

_SCHEMA_CHANGE = re.compile(rb"^(?:DROP|ALTER|DISCARD ALL|DEALLOCATE ALL)\b").match


class KeptAcrossRollbacks(PrepareManager):
    """psycopg's cache of a connection's prepared statements, emptied by a change of schema
    but not by a rollback."""

    def clear(self) -> bool:
        # psycopg calls this on every ROLLBACK: keep the statements.
        return False

    def _should_discard(
        self, prep: Prepare, results: Sequence[pq.abc.PGresult], __should_clear: Any = None
    ) -> bool:
        for result in results:
            status = result.command_status
            if result.status == pq.ExecStatus.COMMAND_OK and status and _SCHEMA_CHANGE(status):
                return super().clear()
        return False


def keep_across_rollbacks(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new PostgreSQL connection that prepares statements (`connection_created`)."""
    if connection.vendor != "postgresql":
        return
    raw = connection.connection
    if raw.prepare_threshold is None:  # nothing is prepared (behind PgBouncer)
        return
    kept = KeptAcrossRollbacks()
    kept.prepare_threshold, kept.prepared_max = raw.prepare_threshold, raw.prepared_max
    raw._prepared = kept  # noqa: SLF001 - psycopg has no public way (module docstring)
