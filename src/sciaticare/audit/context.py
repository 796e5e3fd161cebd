"""Where the current request came from, so services can audit without being handed the request."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None


current: ContextVar[RequestContext | None] = ContextVar("sciaticare_request", default=None)
