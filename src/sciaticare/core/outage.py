"""When the database cannot answer: 503 with Retry-After, never a 500 (docs/deploy.md, "When
the database is away or slow").

Two kinds, both Django's OperationalError or InterfaceError: the database is **unavailable**
(restarting, nothing listening, this connection's server process killed) or **busy** (it is up
but did not answer in time: a statement cancelled by `statement_timeout`, a lock not granted
within `lock_timeout`, a deadlock or serialization failure it broke by failing one side).
Either way this request was not served, and the same request a few seconds later should be.

Only what would have been a 500 becomes a 503: the API's handler (api.py) and the site's
handler500 (web/views.py) call `outage_of` on an error that reached them, i.e. after every
transaction it passed through was rolled back, so a failed write is never answered as a
success. Django drops a connection that raised such an error when the request ends
(`close_if_unusable_or_obsolete`), so the next request connects afresh, with or without
CONN_HEALTH_CHECKS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext, gettext_noop

#: PostgreSQL's SQLSTATEs of a database that is up but did not answer in time.
BUSY_STATES = frozenset(
    {
        "57014",  # query_canceled: statement_timeout
        "55P03",  # lock_not_available: lock_timeout
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
    }
)


@dataclass(frozen=True)
class Outage:
    """Why the database did not serve a request, and when to ask again."""

    code: str
    text: str  # English, marked for translation; `message` says it in the reader's language
    retry_after: int  # seconds

    @property
    def message(self) -> str:
        return gettext(self.text)

    def problem(self) -> dict[str, Any]:
        """The API's error body (`{detail, code, errors}`)."""
        return {"detail": self.message, "code": self.code, "errors": []}


# A restart takes a few seconds; a lock or a slow statement is usually gone sooner.
UNAVAILABLE = Outage(
    "database_unavailable",
    gettext_noop(
        "Sciaticare cannot reach its database just now. Please try again in a few seconds."
    ),
    retry_after=5,
)
BUSY = Outage(
    "database_busy",
    gettext_noop(
        "Sciaticare's database is too busy to answer just now. Please try again in a few seconds."
    ),
    retry_after=2,
)


def outage_of(error: BaseException | None) -> Outage | None:
    """The outage `error` shows, or None for any other error (a bug stays a 500)."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return None
    # Django's error wraps the driver's (psycopg's carries the SQLSTATE).
    state = getattr(error.__cause__, "sqlstate", None)
    if state in BUSY_STATES or "database is locked" in str(error):  # SQLite's busy timeout
        return BUSY
    return UNAVAILABLE
