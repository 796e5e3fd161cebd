"""The signature on each webhook request, and how a receiver checks it (docs/integrations.md).

The header is `Sciaticare-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the HMAC taken with
the endpoint's secret over `"<t>.<body>"`. Signing the time with the body lets a receiver refuse
a request replayed later: `verify` accepts one only within `tolerance` seconds of its own clock.
Several `v1=` values may appear (while a secret is rolled); one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "Sciaticare-Signature"
SCHEME = "v1"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of every secret, not one
#: Seconds either side of the receiver's clock within which a signed request is accepted.
TOLERANCE = 300


def new_secret() -> str:
    """A fresh endpoint secret: `whsec_` and 32 random bytes, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the `Sciaticare-Signature` header for `body` sent at `timestamp`."""
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"


def _parse(value: str) -> tuple[int | None, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t" and item.isascii() and item.isdigit() and len(item) <= 12:
            timestamp = int(item)
        elif key == SCHEME and item:
            signatures.append(item)
    return timestamp, signatures


def verify(secret: str, header: str, body: bytes, now: float, tolerance: int = TOLERANCE) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` seconds of `now`
    (unix seconds). Compares in constant time; any malformed header is simply False."""
    timestamp, signatures = _parse(header)
    if timestamp is None or not signatures or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in signatures)
