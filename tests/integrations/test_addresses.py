"""Which addresses the server may call out to (integrations/addresses.py)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.integrations.addresses import refusal


def resolving_to(*addresses: str):
    def resolver(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolver


def unknown(host: str, port: int) -> list[str]:
    raise OSError("no such host")


@pytest.mark.parametrize(
    ("url", "addresses", "allowed"),
    [
        ("https://caldav.fastmail.com/dav/", ["103.168.172.46"], True),
        ("https://cal.example.org/", ["2a00:1450:4009:81f::200e"], True),
        ("http://caldav.fastmail.com/dav/", ["103.168.172.46"], False),  # not encrypted
        ("https://localhost/", ["127.0.0.1"], False),
        ("https://db.internal/", ["10.0.0.5"], False),
        ("https://metadata/", ["169.254.169.254"], False),
        ("https://v6-local/", ["::1"], False),
        ("https://mapped/", ["::ffff:127.0.0.1"], False),
        ("https://mixed/", ["103.168.172.46", "192.168.1.2"], False),  # any private one refuses
        ("https://user:pw@cal.example.org/", ["103.168.172.46"], False),
        ("ftp://cal.example.org/", ["103.168.172.46"], False),
        ("https:///nohost", ["103.168.172.46"], False),
        ("https://cal.example.org:99999/", ["103.168.172.46"], False),  # port out of range
        # IPv6 forms that carry a private IPv4 address (NAT64, SIIT, IPv4-compatible, 6to4)
        ("https://nat64/", ["64:ff9b::a9fe:a9fe"], False),  # the cloud metadata service
        ("https://nat64-local/", ["64:ff9b:1::7f00:1"], False),
        ("https://siit/", ["::ffff:0:7f00:1"], False),
        ("https://compat/", ["::7f00:1"], False),
        ("https://6to4/", ["2002:7f00:1::1"], False),
        ("https://nat64-public/", ["64:ff9b::6744:ac2e"], True),  # 103.68.172.46
        # a path http.client cannot send, and spaces or control characters
        ("https://cal.example.org/é", ["103.168.172.46"], False),
        ("https://cal.example.org/%C3%A9", ["103.168.172.46"], True),
        ("https://cal.example.org/a b", ["103.168.172.46"], False),
        ("https://cal.example.org/\x00", ["103.168.172.46"], False),
    ],
)
def test_public_https_only(url: str, addresses: list[str], allowed: bool) -> None:
    answer = refusal(url, resolver=resolving_to(*addresses))
    assert (answer is None) is allowed, answer


def test_unknown_host_is_refused_with_its_name() -> None:
    assert "nowhere.invalid" in (refusal("https://nowhere.invalid/", resolver=unknown) or "")


def test_loopback_and_http_allowed_only_when_private_is_allowed() -> None:
    assert refusal("http://127.0.0.1:5232/", allow_private=True, resolver=unknown) is None
    assert refusal("http://127.0.0.1:5232/", resolver=resolving_to("127.0.0.1")) is not None


@given(st.text(max_size=600))
def test_any_text_gets_an_answer_never_an_exception(text: str) -> None:
    answer = refusal(text, resolver=resolving_to("127.0.0.1"))
    assert answer is None or isinstance(answer, str)
