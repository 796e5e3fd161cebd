"""Which database a read that may be a few seconds late uses: the streaming replica, or the
primary (docs/scale.md, "2. PostgreSQL primary with read replicas").

Not a database router: a router decides per model, so it would also send the reads inside a
booking's transaction to the replica. Instead the few reads that may lag (the public search
and the public profile) ask :func:`late_read_alias` and say ``using=`` it; every other read
and every write stays on the primary. A read goes to the replica only when

- a replica is configured (``DATABASE_REPLICA_URL`` adds the ``replica`` alias);
- the request allows it (:class:`ReplicaReadsMiddleware`, decided by :func:`may_read_late`):
  a safe method, no ``Authorization`` header (a bearer-token program may not keep cookies),
  and no write by this browser in the last ``READ_YOUR_WRITES_SECONDS``. After any unsafe
  request that succeeded, the response sets a signed cookie with the time of the write
  (Rails' DatabaseSelector does the same), so a person sees their own change at once, on
  whichever app server answers them next;
- the read is not inside a transaction on the primary (a read that a write depends on).

Outside a request (commands, tasks, the shell) every read uses the primary. The permission is
a context variable set for one request and reset when it ends, so it never passes to the
next request served by the same thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from math import ceil

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REPLICA = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: The cookie holding the time of this browser's last write (seconds since the epoch, signed).
WROTE_AT_COOKIE = "wrote_at"
_SALT = "sciaticare.core.replica"

_late_reads_allowed: ContextVar[bool] = ContextVar("late_reads_allowed", default=False)


def may_read_late(
    *, method: str, bearer: bool, wrote_at: float | None, now: float, window: float
) -> bool:
    """Whether a request's public reads may come from the replica.

    Not for an unsafe method (its reads feed its writes), nor for a bearer-token call (no
    cookie to remember its writes by), nor within ``window`` seconds of this client's last
    write. The window counts both ways, so an app server whose clock runs a little behind the
    one that took the write still sends the reader to the primary.
    """
    if method not in SAFE_METHODS or bearer:
        return False
    return wrote_at is None or abs(now - wrote_at) >= window


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def late_reads(*, allowed: bool = True) -> Iterator[None]:
    """Within the block, reads that may lag go to the replica (when there is one)."""
    token = _late_reads_allowed.set(allowed)
    try:
        yield
    finally:
        _late_reads_allowed.reset(token)


def late_read_alias() -> str:
    """The database alias for a read that may be a few seconds late: ``replica`` or the
    primary's. Ask for each read: inside a transaction the answer is the primary."""
    if (
        _late_reads_allowed.get()
        and replica_configured()
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


def _wrote_at(request: HttpRequest) -> float | None:
    value = request.get_signed_cookie(WROTE_AT_COOKIE, default=None, salt=_SALT)
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class ReplicaReadsMiddleware:
    """Allows the request's late reads to use the replica, or not (:func:`may_read_late`), and
    marks the browser that has just written. Not installed without a replica: no cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        method = request.method or "GET"
        window = float(settings.READ_YOUR_WRITES_SECONDS)
        allowed = may_read_late(
            method=method,
            bearer="HTTP_AUTHORIZATION" in request.META,
            wrote_at=_wrote_at(request),
            now=timezone.now().timestamp(),
            window=window,
        )
        with late_reads(allowed=allowed):
            response = self.get_response(request)
        if method not in SAFE_METHODS and response.status_code < 400:
            # Timed after the view: its writes are committed by now.
            response.set_signed_cookie(
                WROTE_AT_COOKIE,
                f"{timezone.now().timestamp():.6f}",
                salt=_SALT,
                max_age=ceil(window),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
