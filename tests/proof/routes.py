"""Every route the project serves, found by walking the URL configuration and the OpenAPI
document, so a test can insist that each one is declared somewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from sciaticare.api import api

API_PREFIX = "/api/v1"
# ninja registers one URL pattern per path; its operations come from the OpenAPI document.
NINJA_MODULE = "ninja.operation"


@dataclass(frozen=True)
class PageRoute:
    name: str
    pattern: str  # the route as written in urls.py, e.g. "notes/<id:appointment_id>/"
    module: str  # where the view lives, e.g. "sciaticare.records.views"

    @property
    def is_allauth(self) -> bool:
        return self.module.startswith("allauth.")

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")


def _walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[PageRoute]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            module = getattr(entry.callback, "__module__", "") or ""
            yield PageRoute(
                name=name or prefix + str(entry.pattern),
                pattern=prefix + str(entry.pattern),
                module=module,
            )


def page_routes() -> list[PageRoute]:
    """Every named page (not the API's operations, listed by `api_operations`)."""
    return [
        route
        for route in _walk(get_resolver().url_patterns, "", None)
        if route.module != NINJA_MODULE
    ]


def api_operations() -> list[str]:
    """Every API operation as "METHOD /api/v1/path/{param}", from the OpenAPI document."""
    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    )


def path_params(path: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", path)
