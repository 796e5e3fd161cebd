"""Which addresses we may call out to: a therapist's calendar server, a clinic's webhook endpoint.

Both are typed in by a user, so both could point the server at itself or at the private network
(the database, the cache, a cloud's metadata service). An address is refused unless it is
`https://` on a host whose every resolved address is public; tests and the local demo talk to
servers on loopback and set `allow_private`. The check is repeated before every call, not only
when the address is saved, so a name that later resolves elsewhere is caught at that call.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]

MAX_LENGTH = 500


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def refusal(url: str, *, allow_private: bool = False, resolver: Resolver = resolve) -> str | None:
    """Why we would not call `url`, in words for the person who typed it; None when we may."""
    if len(url) > MAX_LENGTH:
        return f"The address is longer than {MAX_LENGTH} characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "The address is not a valid URL."
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "The address must start with https:// and name a server."
    if parts.username or parts.password:
        return "Put the user name and password in their own fields, not in the address."
    if parts.scheme == "http" and not allow_private:
        return "The address must start with https:// (the connection has to be encrypted)."
    if allow_private:
        return None
    try:
        addresses = resolver(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return f"The server name {parts.hostname!r} could not be found."
    if not addresses:
        return f"The server name {parts.hostname!r} could not be found."
    if not all(_is_public(address) for address in addresses):
        return "The address points to a private or local network, which this server may not call."
    return None
