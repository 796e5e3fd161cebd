"""Secrets kept sealed in the database (a webhook endpoint's signing secret): readable by the
server, which must sign with them, and by nobody who only has a copy of the database.

Fernet (AES-128-CBC with HMAC-SHA256) under keys derived with HKDF from the configured key
strings, so any string will do as a key and rotating is adding one in front: the first key
seals, every key opens (MultiFernet).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["InvalidToken", "open_sealed", "seal"]


def _fernet(key: str, purpose: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode("utf-8")
    ).derive(key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys(keys: Sequence[str], purpose: str) -> MultiFernet:
    if not keys:
        raise ValueError("At least one key is needed to seal or open a secret.")
    return MultiFernet([_fernet(key, purpose) for key in keys])


def seal(keys: Sequence[str], purpose: str, plain: str) -> str:
    """`plain` sealed under the first key, for `purpose` (a key sealed for one purpose does not
    open another's)."""
    return _keys(keys, purpose).encrypt(plain.encode("utf-8")).decode("ascii")


def open_sealed(keys: Sequence[str], purpose: str, token: str) -> str:
    """What `seal` sealed, with any of `keys`; raises InvalidToken when none opens it."""
    return _keys(keys, purpose).decrypt(token.encode("ascii")).decode("utf-8")
