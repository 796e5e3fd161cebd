"""A refused credential counts against its address's anonymous API limit. ninja authenticates
before it throttles, so guesses at tokens were answered 401 without end (found by an outside
test: 600 guesses in a minute from one address, none refused)."""

from __future__ import annotations

from typing import Any

import pytest

from sciaticare.accounts.services import create_api_token
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

GUESS = "sct_" + "0" * 43


@pytest.fixture
def limits(settings: Any, rate_clock: float) -> None:
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {"api_anonymous": "3/m", "api_user": "100/m", "symptom_check": "2/h"}


def _me(client: Any, token: str | None = None, address: str = "198.51.100.7") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/me", headers=headers, REMOTE_ADDR=address)


@pytest.mark.parametrize("credential", [GUESS, None], ids=["a guessed token", "none"])
def test_refusals_past_the_anonymous_limit_are_429s_with_retry_after(client, limits, credential):
    answers = [_me(client, credential) for _ in range(4)]

    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[-1]["Retry-After"].isdigit()
    assert answers[-1].json()["code"] == "rate_limited"


def test_guesses_and_public_reads_share_the_addresss_limit(client, limits):
    statuses = [_me(client, GUESS).status_code for _ in range(2)]
    statuses.append(client.get("/api/v1/therapists/1", REMOTE_ADDR="198.51.100.7").status_code)
    statuses.append(_me(client, GUESS).status_code)

    assert statuses[:2] == [401, 401]
    assert statuses[3] == 429


def test_a_valid_token_from_that_address_is_counted_on_its_account(client, limits):
    _, raw = create_api_token(user=PatientFactory(), name="app")
    for _ in range(4):
        _me(client, GUESS)

    assert _me(client, raw).status_code == 200
    assert _me(client, GUESS, address="198.51.100.8").status_code == 401  # another address
