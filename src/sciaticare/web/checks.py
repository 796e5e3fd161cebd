"""Deployment checks of our own, beside Django's (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def proxy_passes_the_client_address(**kwargs: Any) -> list[checks.CheckMessage]:
    """Behind a proxy (BEHIND_PROXY=1) with TRUSTED_PROXY_COUNT=0, every visitor is the proxy."""
    if settings.SECURE_PROXY_SSL_HEADER and not settings.TRUSTED_PROXY_COUNT:
        return [
            checks.Warning(
                "BEHIND_PROXY is set but TRUSTED_PROXY_COUNT is 0: per-IP rate limits and the "
                "audit log would see the proxy's address for every visitor.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to "
                "X-Forwarded-For (1 for nginx alone); docs/deploy.md.",
                id="sciaticare.W001",
            )
        ]
    return []
