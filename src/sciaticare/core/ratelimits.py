"""Request rate limits for the API and the public symptom check, shared by every app process.

Counts live in the database (core.RateCounter), so every worker on every machine sees the same
numbers without another service. Each limit is a fixed window: at most `count` requests per
`seconds`, the window starting on a multiple of `seconds`. A burst at a window's edge can reach
twice the count; that is the usual trade for one counter row per client instead of a log of
timestamps. Counting is one upsert statement (INSERT … ON CONFLICT DO UPDATE … RETURNING, in
SQLite 3.35+ and PostgreSQL), atomic under concurrency; the database cache's
add-then-increment took four statements and could lose counts in a race.

A busy client does not cost a write per request: each process takes its requests from the
shared count in leases (`Leases`): the upsert adds a lease's worth of hits at once, and the
process admits that many requests before it asks again. The row counts hits handed out, so no
number of processes admits more than the limit; leases one process took and did not use are
lost, so a client spread over P processes may be refused up to P × (lease − 1) requests early.
The lease is a hundredth of the limit (1 for limits under 200, so small limits count every
request in the database as before; at most 64). A refused client is remembered for the rest
of the window, so a flood of refused requests writes nothing either. On PostgreSQL the table is
UNLOGGED (migration 0002): a count lost in a crash costs nothing, and its commits wait for no
disk flush.

When the database cannot be reached, a limit lets the request through rather than refuse it
(`hit`): the limit exists to protect work that needs the database, which then meets the same
outage and answers 503 on its own; the symptom check and the triage API need no database, so
they keep answering while it is away. Only "unavailable" fails open, and only outside a
transaction: a busy database (a lock or statement timeout) still answers 503.

Sign-in, sign-up and password reset are limited by allauth (`ACCOUNT_RATE_LIMITS`), on Django's
cache (the database cache of settings.CACHES), which every process shares too.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import ngettext
from ninja.throttling import BaseThrottle

from sciaticare.core import outage
from sciaticare.core.models import RateCounter

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most `count` requests per `seconds`."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """`"120/m"` → 120 per 60 s; units s, m, h, d, optionally with a number (`"300/5m"`)."""
        count, _, period = text.partition("/")
        unit = period[-1:]
        if not count.isdigit() or unit not in _UNITS:
            raise ValueError(f"A rate is N/s, N/m, N/h or N/d (e.g. 120/m), not {text!r}.")
        multiple = period[:-1] or "1"
        if not multiple.isdigit():
            raise ValueError(f"A rate is N/s, N/m, N/h or N/d (e.g. 120/m), not {text!r}.")
        return cls(count=int(count), seconds=int(multiple) * _UNITS[unit])


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, also behind proxies (web.middleware)."""
    return request.META.get("REMOTE_ADDR") or "unknown"


#: The most requests one process takes from the shared count at a time.
MOST_LEASED = 64
#: Clients a process remembers before it starts again (a bound on its memory, not on a limit).
MOST_REMEMBERED = 10_000


def lease_size(rate: Rate) -> int:
    """How many hits one upsert takes: a hundredth of the limit, 1 to MOST_LEASED."""
    return max(1, min(MOST_LEASED, rate.count // 100))


class Leases:
    """This process's share of each client's count in the current window: how many more
    requests it may admit before it takes more from the database (None: refused until the
    window ends)."""

    def __init__(self) -> None:
        self._left: dict[tuple[str, int], int | None] = {}
        self._lock = threading.Lock()  # a threaded server or test runner shares the process

    def take(self, key: str, window: int, rate: Rate) -> bool:
        """Admit one request of `key` in `window`: from the lease, or from a new one."""
        with self._lock:
            left = self._left.get((key, window), 0)
            if left is None:
                return False
            if left > 0:
                self._left[(key, window)] = left - 1
                return True
        size = lease_size(rate)
        with connection.cursor() as cursor:
            cursor.execute(_COUNT, [key, window, size, size])
            (handed_out,) = cursor.fetchone()
        # Of this lease, the hits within the limit are ours to use.
        granted = max(0, min(size, rate.count - (handed_out - size)))
        with self._lock:
            if len(self._left) >= MOST_REMEMBERED:
                self._left.clear()
            self._left[(key, window)] = granted - 1 if granted else None
        return granted > 0

    def clear(self) -> None:
        with self._lock:
            self._left.clear()


#: The one set of leases of this process.
leases = Leases()


def hit(*, scope: str, ident: str, now: float | None = None) -> int | None:
    """Count one request of `ident` against the `scope` limit of settings.RATE_LIMITS.

    None when it is allowed; otherwise the whole seconds until the window ends (Retry-After).
    """
    if not settings.RATE_LIMITS_ENABLED:
        return None
    rate = Rate.parse(settings.RATE_LIMITS[scope])
    now = time.time() if now is None else now
    window = int(now // rate.seconds)
    # Digest the identity: no address or account id is stored in clear.
    key = f"{scope}:{hashlib.sha256(ident.encode()).hexdigest()[:40]}"
    try:
        taken = leases.take(key, window, rate)
    except (OperationalError, InterfaceError) as error:
        if outage.outage_of(error) is not outage.UNAVAILABLE or connection.in_atomic_block:
            raise
        logger.warning("Rate limit %s not counted: the database is unavailable.", scope)
        return None
    if taken:
        return None
    return max(1, math.ceil((window + 1) * rate.seconds - now))


# A new window starts the count again with this lease; the same window adds the lease. Table
# and columns are constants.
_COUNT = """
    INSERT INTO core_ratecounter (ident, period, hits) VALUES (%s, %s, %s)
    ON CONFLICT (ident) DO UPDATE SET
        hits = CASE WHEN core_ratecounter.period = excluded.period
                    THEN core_ratecounter.hits + %s ELSE excluded.hits END,
        period = excluded.period
    RETURNING hits
"""


def prune(*, now: float | None = None) -> int:
    """Delete the counters of windows that have ended, and of limits no longer configured;
    returns how many rows went.

    Nothing is lost: a client's next request in a new window starts again from one either way
    (the upsert resets it). Run daily (``manage.py prune_rate_counters``), so that the table
    holds only the clients of the current windows instead of every client ever seen.
    """
    now = time.time() if now is None else now
    stale, configured = Q(), Q()
    for scope, text in settings.RATE_LIMITS.items():
        of_scope = Q(ident__startswith=f"{scope}:")
        # Any window but the current one has ended (also one numbered higher, left by a limit
        # whose period has since grown longer).
        stale |= of_scope & ~Q(period=int(now // Rate.parse(text).seconds))
        configured |= of_scope
    deleted, _ = RateCounter.objects.filter(stale | ~configured).delete()
    return deleted


def retry_message(wait: int) -> str:
    return ngettext(
        "Too many requests. Please wait %(wait)d second and try again.",
        "Too many requests. Please wait %(wait)d seconds and try again.",
        wait,
    ) % {"wait": wait}


class CallerThrottle(BaseThrottle):
    """The API limit: per account for a signed-in caller or token holder, per IP otherwise.

    Runs after authentication, so a made-up bearer token on a public route is counted against
    its address, not a fresh identity.
    """

    def __init__(self, scope: str | None = None) -> None:
        # `scope` forces one limit (e.g. the symptom check) whoever calls; None picks by caller.
        self.scope = scope
        self._last = threading.local()  # ninja asks wait() right after allow_request()

    def allow_request(self, request: HttpRequest) -> bool:
        user: Any = getattr(request, "auth", None) or getattr(request, "user", None)
        if self.scope is not None:
            self._last.wait = hit(scope=self.scope, ident=f"ip:{client_ip(request)}")
        elif user is not None and user.is_authenticated:
            self._last.wait = hit(scope="api_user", ident=f"user:{user.pk}")
        else:
            self._last.wait = anonymous_wait(request)
        return self._last.wait is None

    def wait(self) -> float | None:
        return getattr(self._last, "wait", None)


def anonymous_wait(request: HttpRequest) -> int | None:
    """Count one API call without an account against its address's limit: None while allowed,
    else the seconds to wait. Also a call whose credential was refused (api.py)."""
    return hit(scope="api_anonymous", ident=f"ip:{client_ip(request)}")
