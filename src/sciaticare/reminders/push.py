"""Web Push with VAPID: sending one notification to one browser (`pywebpush`), the site's key
pair (`py-vapid`), and which push services a subscription may point at.

The server posts to whatever URL a browser's subscription names, so only the browsers' own push
services are accepted (`PUSH_SERVICES`): a made-up subscription cannot turn the server into a
client of an address inside our network.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush

#: A push service's answers that mean the subscription is gone for good (RFC 8030 §7.3).
GONE = frozenset({404, 410})
#: The longest a reminder waits at the push service for a device that is off.
MAX_TTL_SECONDS = 24 * 3600


class PushGone(Exception):
    """The push service no longer knows the subscription: delete it."""


class PushFailed(Exception):
    """The push service refused or did not answer; `code` says which (status or "unreachable")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Notification:
    """What a device shows: no health data, ever (docs/architecture.md, "Reminders")."""

    title: str
    body: str
    url: str
    tag: str  # a newer notification of the same tag replaces the older one

    def payload(self) -> str:
        return json.dumps(
            {"title": self.title, "body": self.body, "url": self.url, "tag": self.tag}
        )


def is_ready() -> bool:
    """Whether the site has a VAPID key pair, without which browsers cannot subscribe."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def accepts_endpoint(url: str) -> bool:
    """Whether `url` is at one of the push services of `PUSH_SERVICES` (scheme and host, with
    "*" for any part of a host name: "https://*.notify.windows.com")."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc or parts.username or parts.password:
        return False
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return any(fnmatchcase(origin, pattern.lower()) for pattern in settings.PUSH_SERVICES)


def send(*, endpoint: str, p256dh: str, auth: str, notification: Notification, ttl: int) -> None:
    """Encrypt the notification to the browser's keys and post it to its push service, signed
    with the site's VAPID key. Raises PushGone or PushFailed."""
    try:
        webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=notification.payload(),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            # A fresh dict each time: pywebpush writes the audience and expiry into it.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=max(0, min(ttl, MAX_TTL_SECONDS)),
            timeout=10,
        )
    except WebPushException as exc:
        status = exc.status_code
        if status in GONE:
            raise PushGone(str(status)) from exc
        raise PushFailed(f"push_{status}" if status else "push_refused") from exc
    except requests.RequestException as exc:
        raise PushFailed("unreachable") from exc


def key_problem() -> str | None:
    """What is wrong with the configured VAPID keys, if anything (a system check reports it at
    start-up, rather than every notification failing): a private key that is not one, or a
    public key that is not its pair."""
    if not (settings.VAPID_PUBLIC_KEY or settings.VAPID_PRIVATE_KEY):
        return None
    if not is_ready():
        return "set both VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY, or neither"
    try:
        key = Vapid.from_string(settings.VAPID_PRIVATE_KEY)
    except (ValueError, TypeError, VapidException):
        return "VAPID_PRIVATE_KEY is not a P-256 private key in base64url"
    public = key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    if _b64url(public) != settings.VAPID_PUBLIC_KEY:
        return "VAPID_PUBLIC_KEY is not the public half of VAPID_PRIVATE_KEY"
    return None


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_key_pair() -> tuple[str, str]:
    """A new VAPID key pair on P-256, both base64url as browsers and pywebpush take them:
    (public: the uncompressed point, the page's `applicationServerKey`; private: the raw
    32-byte scalar)."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(private)
