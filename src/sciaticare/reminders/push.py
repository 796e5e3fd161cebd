"""Web Push with VAPID: sending one notification to one browser (`pywebpush`), the site's key
pair (`py-vapid`), and which push services a subscription may point at.

The server posts to whatever URL a browser's subscription names, so only the browsers' own push
services are accepted (`PUSH_SERVICES`): a made-up subscription cannot turn the server into a
client of an address inside our network.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid, VapidException
from pywebpush import WebPushException, webpush
from urllib3.util import parse_url

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


#: A host under a "https://*.suffix" push service: letters, digits, dots and hyphens only (no
#: backslash, "%", "@" or port that one parser could read differently from another).
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


def accepts_endpoint(url: str) -> bool:
    """Whether `url` is at one of the push services of `PUSH_SERVICES`: an origin given whole
    ("https://fcm.googleapis.com"), or any host under a suffix ("https://*.push.apple.com").
    What is compared is what urllib3, the parser that sends (under requests), reads, and the
    URL must spell that origin and then "/": a URL that one parser reads as a push service and
    another as 127.0.0.1 is refused (attack finding: a backslash ended urllib3's host, and the
    pattern's "*" matched it)."""
    if any(c.isspace() or c in "\\#" for c in url):
        return False
    try:
        parsed = parse_url(url)
    except ValueError:
        return False
    if parsed.auth or not parsed.host or parsed.scheme is None:
        return False
    origin = f"{parsed.scheme}://{parsed.netloc}"
    if not url.startswith(origin + "/"):
        return False
    for pattern in settings.PUSH_SERVICES:
        service = pattern.rstrip("/")
        if service.startswith("https://*."):
            suffix = service.removeprefix("https://*")
            if (
                parsed.scheme == "https"
                and parsed.port is None
                and parsed.host.endswith(suffix)
                and _HOST.fullmatch(parsed.host.removesuffix(suffix))
            ):
                return True
        elif origin == service:
            return True
    return False


def is_public_key(raw: bytes) -> bool:
    """Whether `raw` is a point on P-256 (a browser's p256dh): the right length is not enough,
    and a key that is not a point would fail every send (attack finding)."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return False
    return True


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
    except (ValueError, VapidException) as exc:
        # A key that is not a point on the curve, or an endpoint pywebpush cannot sign for:
        # this device fails, the next device and the person's other channels are still tried.
        raise PushFailed("push_unsendable") from exc


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
