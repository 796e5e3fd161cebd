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

from sciaticare.core.translation import gettext

Resolver = Callable[[str, int], list[str]]

MAX_LENGTH = 500


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


# IPv6 ranges that carry an IPv4 address in their last 32 bits (NAT64, SIIT, the old
# "IPv4-compatible" form): a gateway may turn them into that IPv4 address, so it is what counts.
_CARRY_IPV4 = [
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("::ffff:0:0:0/96"),
    ipaddress.ip_network("::/96"),
]


def _is_public(address: str) -> bool:
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
        address.split("%", 1)[0]
    )
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif ip.sixtofour:
            ip = ip.sixtofour
        elif any(ip in network for network in _CARRY_IPV4):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


def refusal(url: str, *, allow_private: bool = False, resolver: Resolver = resolve) -> str | None:
    """Why we would not call `url`, in words for the person who typed it; None when we may."""
    if len(url) > MAX_LENGTH:
        return gettext("The address is longer than %(length)s characters.") % {"length": MAX_LENGTH}
    if not url.isascii() or any(char.isspace() or not char.isprintable() for char in url):
        return gettext(
            "The address may hold only plain letters, digits and signs: percent-encode any other character."
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return gettext("The address is not a valid URL.")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return gettext("The address must start with https:// and name a server.")
    if parts.username or parts.password:
        return gettext("Put the user name and password in their own fields, not in the address.")
    if parts.scheme == "http" and not allow_private:
        return gettext("The address must start with https:// (the connection has to be encrypted).")
    if allow_private:
        return None
    try:
        addresses = resolver(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return gettext("The server name %(host)s could not be found.") % {"host": parts.hostname}
    if not addresses:
        return gettext("The server name %(host)s could not be found.") % {"host": parts.hostname}
    if not all(_is_public(address) for address in addresses):
        return gettext(
            "The address points to a private or local network, which this server may not call."
        )
    return None
