"""Behind trusted proxies, the client's address is the one the outermost proxy saw, for the
rate limits, allauth's limits and the audit log alike; a forged X-Forwarded-For changes nothing."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from django.core.checks import Warning as CheckWarning
from django.http import HttpResponse
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.audit.middleware import RequestContextMiddleware
from sciaticare.audit.services import record_event
from sciaticare.intake.triage.questions import REQUIRED_CODES
from sciaticare.web.checks import proxy_passes_the_client_address
from sciaticare.web.middleware import ClientAddressMiddleware, client_address
from tests.factories import PatientFactory, TherapistFactory

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("forwarded_for", "proxies", "expected"),
    [
        # No proxies: the header is the client's to write, so it is never read.
        ("203.0.113.9", 0, PROXY),
        (None, 1, PROXY),
        ("", 1, PROXY),
        # nginx alone appends the address it saw.
        ("203.0.113.9", 1, "203.0.113.9"),
        # Whatever the client wrote before it is not believed.
        ("1.1.1.1, 203.0.113.9", 1, "203.0.113.9"),
        (" 1.1.1.1 ,  203.0.113.9 ", 1, "203.0.113.9"),
        # A load balancer, then nginx: the load balancer's entry is the client.
        ("203.0.113.9, 10.0.0.1", 2, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9, 10.0.0.1", 2, "203.0.113.9"),
        # A request that did not pass every proxy, or an entry that is no address.
        ("10.0.0.1", 2, PROXY),
        ("unknown", 1, PROXY),
        ("203.0.113.9:4711", 1, PROXY),
        # IPv6, written the way ipaddress writes it; a scoped one names no client.
        ("2001:DB8::1", 1, "2001:db8::1"),
        ("fe80::1%eth0", 1, PROXY),
    ],
)
def test_the_client_is_the_proxies_th_entry_from_the_right(
    forwarded_for: str | None, proxies: int, expected: str
) -> None:
    assert client_address(PROXY, forwarded_for, proxies) == expected


addresses = st.ip_addresses().map(str)


@given(
    forged=st.lists(st.one_of(addresses, st.text(max_size=12)), max_size=4),
    chain=st.lists(addresses, min_size=1, max_size=4),
)
def test_nothing_the_client_writes_moves_the_answer(forged: list[str], chain: list[str]) -> None:
    # `chain` is what the trusted proxies appended (the client's address first); `forged`
    # is whatever the client put in the header before them.
    header = ", ".join([*(f.replace(",", "") for f in forged), *chain])

    found = client_address(PROXY, header, len(chain))

    assert found == str(ipaddress.ip_address(chain[0]))


def _triage(client: Any, forwarded_for: str) -> int:
    body = {"age": 45, "onset_weeks": 2, "answers": dict.fromkeys(REQUIRED_CODES, False)}
    return client.post(
        "/api/v1/triage",
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    ).status_code


@pytest.fixture
def limits(settings: Any, rate_clock: float) -> None:
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"api_anonymous": "100/m", "api_user": "100/m", "symptom_check": "2/h"}


@pytest.mark.django_db
def test_behind_a_proxy_each_visitor_has_their_own_limit(client, settings, limits):
    settings.TRUSTED_PROXY_COUNT = 1

    first = [_triage(client, "198.51.100.1") for _ in range(3)]
    # Another visitor through the same proxy, and the first one forging a new address.
    other = _triage(client, "198.51.100.2")
    forged = _triage(client, "192.0.2.77, 198.51.100.1")

    assert first == [200, 200, 429]
    assert other == 200
    assert forged == 429


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_ignored(client, settings, limits):
    settings.TRUSTED_PROXY_COUNT = 0

    answers = [_triage(client, f"198.51.100.{n}") for n in range(3)]

    assert answers == [200, 200, 429]  # one address: the proxy's


@pytest.mark.django_db
def test_the_audit_log_records_the_client_not_the_proxy(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    therapist, patient = TherapistFactory(), PatientFactory()
    seen = {}

    def view(request: Any) -> HttpResponse:
        seen["event"] = record_event(actor=therapist, action="intake.view", patient=patient)
        return HttpResponse()

    # In the order of settings.MIDDLEWARE: the address first, then the audit context.
    chain = ClientAddressMiddleware(RequestContextMiddleware(view))
    chain(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.4"))

    assert seen["event"].ip == "198.51.100.4"


def test_the_address_comes_first_in_the_middleware(settings):
    assert settings.MIDDLEWARE[0] == "sciaticare.web.middleware.ClientAddressMiddleware"


def test_deploy_check_warns_behind_a_proxy_that_passes_no_client_address(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 0

    (warning,) = proxy_passes_the_client_address()

    assert isinstance(warning, CheckWarning)
    assert warning.id == "sciaticare.W001"
    settings.TRUSTED_PROXY_COUNT = 1
    assert proxy_passes_the_client_address() == []
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.TRUSTED_PROXY_COUNT = 0
    assert proxy_passes_the_client_address() == []
