"""Where a form may send a person afterwards: the one rule for every `next` a view takes."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` the request carries if it stays on this site, otherwise `fallback`.

    `fallback` may be a URL name or a path. Anything off-site (`https://evil.example/`,
    `//evil.example`, `javascript:`) falls back, so a link can't turn a form into an open
    redirect; so does anything but a path from the site's root: `redirect()` reads "abc" as
    the name of a view, and a typed `next=abc` was a 500 (found by an outside test).
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return resolve_url(fallback)
