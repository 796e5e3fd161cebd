"""The client's address (the first middleware), a query no database could store (the last), and
the API's methods (beside it).

The client's address, as the trusted proxies in front of the app saw it.

Behind nginx or a load balancer, REMOTE_ADDR is the proxy's address: every visitor would share
one per-IP rate limit (sign-in, sign-up, the symptom check, the API) and the audit log would
record the proxy. ``TRUSTED_PROXY_COUNT`` says how many proxies stand in front of the app, each
appending the address it received the request from to X-Forwarded-For (nginx:
``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``); this middleware, first in the
chain, puts the address the outermost of them saw into REMOTE_ADDR, so that everything after it
(audit context, rate limits, allauth's limits) reads the client's. The rule is allauth's
``ALLAUTH_TRUSTED_PROXY_COUNT``: the count-th entry from the right. Entries further left were
written by the client and are not believed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from sciaticare.core.errors import DomainError


def client_address(remote_addr: str | None, forwarded_for: str | None, proxies: int) -> str | None:
    """The client's address behind `proxies` trusted proxies; REMOTE_ADDR when it cannot say.

    REMOTE_ADDR stands with no proxies, with no header or one shorter than the proxies (a
    request that did not pass through all of them), or when that entry is not an IP address
    (or is a scoped IPv6 one).
    """
    if proxies < 1 or not forwarded_for:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    if len(hops) < proxies:
        return remote_addr
    try:
        address = ipaddress.ip_address(hops[-proxies])
    except ValueError:
        return remote_addr
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        return remote_addr  # a "%zone" suffix names a link, not a client; inet columns refuse it
    return str(address)


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        proxies = settings.TRUSTED_PROXY_COUNT
        if proxies:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), proxies
            )
        return self.get_response(request)


NUL_REFUSED = "Text may not contain the NUL character (\\u0000)."


class RefuseNulMiddleware:
    """A query string holding the NUL character (`%00`) is answered 400 before any view reads
    it: PostgreSQL refuses NUL in text, so a search or a stated reason holding one would be a
    500 (core/bounds.py). The API's callers get its JSON problem, people the 400 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" not in request.META.get("QUERY_STRING", ""):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            problem = {"detail": NUL_REFUSED, "code": "nul_character", "errors": []}
            return JsonResponse(problem, status=400)
        return render(request, "400.html", status=400)


#: The order an API's Allow header names its methods in (ninja gives a set: any order).
_METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")


class ApiMethodsMiddleware:
    """Two gaps in django-ninja's methods, closed for every API address: HEAD is answered as
    GET is (ninja runs an operation only for the methods it names, and none names HEAD; the
    server sends no body); and a method an address does not take answers the API's JSON
    problem in the caller's language, with its Allow header in a fixed order, where ninja
    wrote the bare text "Method not allowed", which a program reading every other error as
    JSON cannot parse."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        asked = request.method
        if asked == "HEAD":
            request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = asked
        if response.status_code != 405:
            return response
        taken = {m.strip() for m in response.get("Allow", "").split(",") if m.strip()}
        allowed = ", ".join(
            sorted(taken, key=lambda m: (_METHOD_ORDER.index(m) if m in _METHOD_ORDER else 9, m))
        )
        refused = DomainError(
            "method_not_allowed",
            gettext("This address does not take %(method)s; it takes %(allowed)s.")
            % {"method": asked, "allowed": allowed},
        )
        answer = JsonResponse(refused.problem(), status=405)
        answer["Allow"] = allowed
        return answer
