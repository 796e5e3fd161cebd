import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sciaticare.audit import context


class RequestContextMiddleware:
    """Gives each request an id (echoed as X-Request-ID) and remembers it with the client IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # The client's address, also behind proxies (web.middleware.ClientAddressMiddleware).
        token = context.current.set(
            context.RequestContext(request_id=request_id, ip=request.META.get("REMOTE_ADDR"))
        )
        try:
            response = self.get_response(request)
        finally:
            context.current.reset(token)
        response["X-Request-ID"] = request_id
        return response
