"""Sessions end 12 hours after sign-in, and after 30 idle minutes for staff roles."""

import time

import pytest
from django.urls import reverse

from sciaticare.accounts.signals import SESSION_LAST_SEEN_KEY, SESSION_STARTED_KEY
from tests.factories import PASSWORD, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def _age_session(client, *, started_ago: float, idle_for: float) -> None:
    session = client.session
    now = time.time()
    session[SESSION_STARTED_KEY] = now - started_ago
    session[SESSION_LAST_SEEN_KEY] = now - idle_for
    session.save()


@pytest.mark.parametrize(
    ("factory", "started_ago", "idle_for", "signed_out"),
    [
        (TherapistFactory, 60 * 60, 29 * 60, False),
        (TherapistFactory, 60 * 60, 31 * 60, True),
        (PatientFactory, 60 * 60, 3 * 60 * 60, False),
        (PatientFactory, 12 * 60 * 60 - 60, 60, False),
        (PatientFactory, 12 * 60 * 60 + 60, 60, True),
        (TherapistFactory, 12 * 60 * 60 + 60, 60, True),
    ],
    ids=[
        "staff-idle-29min",
        "staff-idle-31min",
        "patient-idle-3h",
        "patient-11h59",
        "patient-12h01",
        "staff-12h01",
    ],
)
def test_session_lifetime(client, factory, started_ago, idle_for, signed_out):
    user = factory(mfa=False)
    _sign_in(client, user)
    assert "_auth_user_id" in client.session
    _age_session(client, started_ago=started_ago, idle_for=idle_for)

    response = client.get(reverse("accounts:account"))

    assert ("_auth_user_id" not in client.session) is signed_out
    if signed_out:
        assert response["Location"].startswith(reverse("account_login"))


def test_an_ended_session_gets_401_json_from_the_api(client):
    _sign_in(client, TherapistFactory(mfa=False))
    _age_session(client, started_ago=60 * 60, idle_for=31 * 60)

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["detail"] == "Your session has ended."
    assert response.json()["code"] == "session_ended"
    assert response["WWW-Authenticate"] == "Bearer"


def test_sign_in_stamps_the_session(client):
    before = time.time()
    _sign_in(client, PatientFactory())

    assert client.session[SESSION_STARTED_KEY] >= before


def test_the_session_cookie_ends_when_the_browser_closes(client):
    response = client.post(
        reverse("account_login"), {"login": PatientFactory().email, "password": PASSWORD}
    )

    cookie = response.cookies["sessionid"]
    assert cookie.value
    assert not cookie["expires"]
    assert not cookie["max-age"]
