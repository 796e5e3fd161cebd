"""Every rate limit holds: login, sign-up and password reset (allauth, ACCOUNT_RATE_LIMITS), the
public symptom check (pages and POST /api/v1/triage) and the API (per account, per IP).

Each is counted in the database, so every app process shares it. Tests elsewhere run with
the request limits off (tests/conftest.py); here they are on, with small numbers where the
production figure would make the test slow, and the production figure itself where it is cheap.
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from sciaticare.accounts.models import User
from sciaticare.accounts.services import create_api_token
from sciaticare.core import ratelimits
from sciaticare.core.models import RateCounter
from sciaticare.intake.symptom_check import SCREENS
from sciaticare.intake.triage.questions import REQUIRED_CODES
from tests.factories import PASSWORD, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/therapists?lat=53.48&lon=-2.24"
TRIAGE_BODY = json.dumps(
    {"age": 45, "onset_weeks": 2, "answers": dict.fromkeys(REQUIRED_CODES, False)}
)

#: The symptom check's first screen, answered (each screen is one POST).
FIRST_SCREEN = {"step": 0, **dict.fromkeys(SCREENS[0].steps, "no")}


@pytest.fixture
def limits(settings: Any, rate_clock: float) -> dict[str, str]:
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"api_anonymous": "3/m", "api_user": "3/m", "symptom_check": "4/h"}
    return settings.RATE_LIMITS


def _triage(client: Any, **extra: Any) -> Any:
    return client.post("/api/v1/triage", TRIAGE_BODY, content_type="application/json", **extra)


def _bearer(user: Any) -> dict[str, str]:
    _, raw = create_api_token(user=user, name="limits")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


# --- The API ----------------------------------------------------------------------------------


def test_anonymous_api_calls_are_limited_per_ip_with_a_clear_429_and_retry_after(client, limits):
    answers = [client.get(SEARCH).status_code for _ in range(3)]
    refused = client.get(SEARCH)

    assert answers == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "Too many requests" in refused.json()["detail"]
    assert int(refused["Retry-After"]) == 30  # the rest of the minute (tests/conftest.py)
    # Another address has its own count.
    assert client.get(SEARCH, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_token_holders_are_limited_per_account_not_per_address(client, limits):
    patient, other = PatientFactory(), PatientFactory()
    mine, theirs = _bearer(patient), _bearer(other)

    answers = [client.get("/api/v1/me", **mine).status_code for _ in range(3)]
    from_elsewhere = client.get("/api/v1/me", REMOTE_ADDR="10.9.9.9", **mine)

    assert answers == [200, 200, 200]
    assert from_elsewhere.status_code == 429
    assert "Retry-After" in from_elsewhere
    assert client.get("/api/v1/me", **theirs).status_code == 200


def test_signed_in_browsers_share_their_accounts_limit(client, limits):
    client.force_login(TherapistFactory())
    answers = [client.get("/api/v1/appointments").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_a_made_up_token_on_a_public_route_does_not_escape_the_address_limit(client, limits):
    for n in range(3):
        client.get(SEARCH, HTTP_AUTHORIZATION=f"Bearer sct_invented{n}")

    refused = client.get(SEARCH, HTTP_AUTHORIZATION="Bearer sct_yet-another")

    assert refused.status_code == 429


# --- The public symptom check -----------------------------------------------------------------


def test_triage_api_has_the_symptom_check_limit_on_top_of_the_api_limit(client, settings, limits):
    settings.RATE_LIMITS = {**limits, "api_anonymous": "100/m"}

    answers = [_triage(client).status_code for _ in range(4)]
    refused = _triage(client)

    assert answers == [200] * 4
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) == 3600 - 90  # the rest of the hour, not of the minute


def test_check_page_answers_are_limited_and_the_refusal_still_gives_emergency_advice(
    client, limits
):
    url = reverse("check")
    answers = [client.post(url, FIRST_SCREEN).status_code for _ in range(4)]
    refused = client.post(url, FIRST_SCREEN)

    assert answers == [200] * 4
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    body = refused.content.decode()
    assert "Please wait a moment" in body
    # The emergency advice comes first, before anything about waiting.
    assert body.index("emergency department now") < body.index("<h1>Please wait a moment")
    # Reading the first question is never counted.
    assert client.get(url).status_code == 200


def test_check_pages_and_triage_api_share_one_budget_per_address(client, limits):
    for _ in range(4):
        _triage(client)

    page = client.post(reverse("check"), FIRST_SCREEN)

    assert page.status_code == 429


def test_counts_live_in_one_database_row_per_client_that_every_process_reads(limits):
    for _ in range(4):
        assert ratelimits.hit(scope="symptom_check", ident="ip:10.0.0.7", now=7200.5) is None

    (row,) = RateCounter.objects.all()
    assert row.ident.startswith("symptom_check:")
    assert "10.0.0.7" not in row.ident  # the client is stored as a digest
    assert (row.period, row.hits) == (2, 4)
    assert ratelimits.hit(scope="symptom_check", ident="ip:10.0.0.7", now=7200.5) == 3600
    # The next window starts again from one, in the same row.
    assert ratelimits.hit(scope="symptom_check", ident="ip:10.0.0.7", now=10800.5) is None
    assert RateCounter.objects.get().hits == 1


def test_counting_is_one_statement(limits, django_assert_num_queries):
    with django_assert_num_queries(1):
        ratelimits.hit(scope="api_user", ident="user:1")


def test_a_busy_client_takes_its_requests_in_leases_not_a_write_each(
    settings, rate_clock, django_assert_num_queries
):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"api_user": "1000/m"}  # a lease of 10

    with django_assert_num_queries(3):
        allowed = [ratelimits.hit(scope="api_user", ident="user:1") for _ in range(25)]

    assert allowed == [None] * 25
    assert RateCounter.objects.get().hits == 30  # three leases handed out


def test_a_refused_client_writes_nothing_more_until_the_window_ends(
    limits, django_assert_num_queries
):
    for _ in range(3):
        ratelimits.hit(scope="api_user", ident="user:1")
    assert ratelimits.hit(scope="api_user", ident="user:1") is not None

    with django_assert_num_queries(0):
        assert all(ratelimits.hit(scope="api_user", ident="user:1") for _ in range(20))
    assert RateCounter.objects.get().hits == 4


@pytest.mark.parametrize("seed", range(8))
def test_processes_sharing_a_count_never_admit_more_than_the_limit(
    settings, rate_clock, monkeypatch, seed
):
    """Several processes, each with its own leases, take turns at random: together they admit
    at most the limit, and all of it while one process alone asks."""
    import random

    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"api_user": "700/m"}  # a lease of 7
    processes = [ratelimits.Leases() for _ in range(random.Random(seed).randint(1, 5))]
    rng = random.Random(seed)
    admitted = 0
    for _ in range(900):
        monkeypatch.setattr(ratelimits, "leases", rng.choice(processes))
        admitted += ratelimits.hit(scope="api_user", ident="user:1") is None

    assert admitted <= 700
    assert admitted >= 700 - len(processes) * (ratelimits.lease_size(ratelimits.Rate(700, 60)) - 1)


@pytest.mark.parametrize(
    ("text", "count", "seconds"),
    [
        ("120/m", 120, 60),
        ("300/h", 300, 3600),
        ("5/s", 5, 1),
        ("2/d", 2, 86400),
        ("30/5m", 30, 300),
    ],
)
def test_rates_are_read_as_count_per_period(text, count, seconds):
    assert ratelimits.Rate.parse(text) == ratelimits.Rate(count=count, seconds=seconds)


@pytest.mark.parametrize("text", ["", "120", "x/m", "10/w", "10/xm", "-1/m"])
def test_malformed_rates_are_refused(text):
    with pytest.raises(ValueError, match="N/s"):
        ratelimits.Rate.parse(text)


@pytest.mark.parametrize(("now", "wait"), [(3600.0, 60), (3659.2, 1), (3630.5, 30)])
def test_retry_after_is_the_rest_of_the_window(settings, now, wait):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"api_user": "1/m"}
    ratelimits.hit(scope="api_user", ident="user:1", now=now)

    assert ratelimits.hit(scope="api_user", ident="user:1", now=now) == wait


def test_with_limits_off_nothing_is_counted(settings):
    settings.RATE_LIMITS_ENABLED = False

    assert all(ratelimits.hit(scope="api_user", ident="u", now=1.0) is None for _ in range(50))
    assert not RateCounter.objects.exists()


# --- Sign-in, sign-up, password reset (allauth, with the production settings) -----------------


def test_failed_logins_are_limited_per_address_across_accounts(client):
    people = [PatientFactory() for _ in range(11)]
    for person in people[:10]:
        client.post(reverse("account_login"), {"login": person.email, "password": "wrong-one"})

    # The eleventh account has had no failure, yet from this address even its right password
    # is refused while the limit holds (ACCOUNT_RATE_LIMITS login_failed: 10/m/ip).
    right = client.post(reverse("account_login"), {"login": people[10].email, "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert right.status_code in (200, 429)


def test_sign_ups_are_limited_per_address(client, settings):
    assert settings.ACCOUNT_RATE_LIMITS["signup"] == "20/h/ip"
    for n in range(20):
        client.post(reverse("account_signup"), _signup(n))
        client.logout()  # a fresh session each time: the limit is the address's

    refused = client.post(reverse("account_signup"), _signup(20))

    assert refused.status_code == 429
    assert not User.objects.filter(email="limit20@example.org").exists()
    assert User.objects.filter(email="limit19@example.org").exists()


def _signup(n: int) -> dict[str, str]:
    password = "calf-stretch-every-day"
    return {
        "email": f"limit{n}@example.org",
        "password1": password,
        "password2": password,
        "first_name": "Ana",
        "last_name": "Lima",
    }


def test_password_reset_requests_are_limited_per_address(client, settings):
    assert settings.ACCOUNT_RATE_LIMITS["reset_password"] == "20/h/ip,5/h/key"
    emails = [f"nobody{n}@example.org" for n in range(21)]
    answers = [
        client.post(reverse("account_reset_password"), {"email": email}).status_code
        for email in emails
    ]

    assert answers[:20] == [302] * 20
    assert answers[20] == 429


def test_password_reset_requests_are_limited_per_account(client):
    person = PatientFactory()
    answers = [
        client.post(reverse("account_reset_password"), {"email": person.email}).status_code
        for _ in range(6)
    ]

    assert answers[:5] == [302] * 5
    assert answers[5] in (200, 429)  # refused: the form says to wait, or a 429 page


def test_pruning_deletes_ended_windows_and_changes_no_count(limits):
    # symptom_check counts per hour, api_anonymous per minute (the limits fixture).
    hour, minute = 3600, 60
    now = 100 * hour + 30.0
    ratelimits.hit(scope="symptom_check", ident="ip:old", now=now - hour)  # last hour's window
    for _ in range(3):
        ratelimits.hit(scope="symptom_check", ident="ip:current", now=now)
    ratelimits.hit(scope="api_anonymous", ident="ip:a", now=now - 2 * minute)
    ratelimits.hit(scope="api_anonymous", ident="ip:b", now=now)
    RateCounter.objects.create(ident="retired_limit:abc", period=int(now // minute), hits=1)

    assert ratelimits.prune(now=now) == 3

    left = dict(RateCounter.objects.values_list("ident", "hits"))
    assert sorted(left.values()) == [1, 3]  # the current windows of "current" and "b"
    # The current window's count goes on; a pruned client starts at one, as it would have.
    assert ratelimits.hit(scope="symptom_check", ident="ip:current", now=now) is None
    assert ratelimits.hit(scope="symptom_check", ident="ip:current", now=now) == 3570  # 5th of 4
    ratelimits.hit(scope="symptom_check", ident="ip:old", now=now)
    assert RateCounter.objects.filter(hits=1).count() == 2


def test_pruning_deletes_the_windows_of_a_limit_whose_period_grew(settings, limits):
    now = 100 * 3600 + 30.0
    settings.RATE_LIMITS = {**limits, "symptom_check": "4/m"}
    ratelimits.hit(scope="symptom_check", ident="ip:a", now=now)  # window 6000 of minutes
    settings.RATE_LIMITS = {**limits, "symptom_check": "4/h"}  # now window 100 of hours

    assert ratelimits.prune(now=now) == 1
    assert not RateCounter.objects.exists()


def test_the_daily_command_prunes(limits):
    ratelimits.hit(scope="symptom_check", ident="ip:old", now=0.5)
    out = StringIO()

    call_command("prune_rate_counters", stdout=out)

    assert not RateCounter.objects.exists()
    assert "1 ended rate counter(s) deleted." in out.getvalue()
