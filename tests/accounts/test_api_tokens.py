"""Bearer tokens: made on the account page, shown once, stored hashed, revocable."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from sciaticare.accounts import services
from sciaticare.accounts.models import ApiToken
from tests.factories import PASSWORD, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_only_as_a_digest(client):
    user = PatientFactory()
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.post(reverse("accounts:create_token"), {"name": "pain logger"})

    raw = re.search(rb"sct_[A-Za-z0-9_-]+", response.content).group().decode()
    token = ApiToken.objects.get(user=user)
    assert token.name == "pain logger"
    assert raw not in (token.digest, token.prefix)
    assert response["Cache-Control"] == "no-store"
    assert raw.encode() not in client.get(reverse("accounts:account")).content


def test_a_valid_token_authenticates_the_api(client):
    user = PatientFactory()
    _, raw = services.create_api_token(user=user, name="script")

    response = client.get("/api/v1/me", **_bearer(raw))

    assert response.status_code == 200
    assert response.json() == {
        "email": user.email,
        "name": user.display_name,
        "roles": ["patient"],
        "time_zone": "UTC",
    }
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer sct_not-a-real-token"},
        {"HTTP_AUTHORIZATION": "Bearer "},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
    ],
    ids=["missing", "unknown", "empty", "wrong-scheme"],
)
def test_missing_or_unknown_tokens_get_401_in_the_error_shape(client, headers):
    response = client.get("/api/v1/me", **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert set(response.json()) == {"detail", "code", "errors"}
    assert response.json()["code"] == "not_signed_in"


def test_a_write_without_any_credentials_gets_401_not_a_csrf_refusal():
    # Without a session there is nothing to forge; the answer says to sign in.
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/diary", {"back_pain": 3}, content_type="application/json")

    assert response.status_code == 401


def test_a_signed_in_browser_write_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    client.force_login(PatientFactory())

    response = client.post(
        "/api/v1/diary", {"back_pain": 3, "leg_pain": 2}, content_type="application/json"
    )

    assert response.status_code == 403


def test_a_revoked_token_no_longer_works(client):
    user = PatientFactory()
    token, raw = services.create_api_token(user=user, name="old")
    client.force_login(user)

    confirm = client.get(reverse("accounts:revoke_token", args=[token.pk]))
    assert b"cannot be undone" in confirm.content
    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 200

    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    client.logout()

    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 401


def test_nobody_can_revoke_someone_elses_token(client):
    owner = PatientFactory()
    token, raw = services.create_api_token(user=owner, name="mine")
    client.force_login(PatientFactory())

    assert client.get(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    assert client.post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404
    client.logout()
    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 200


def test_a_token_of_a_deactivated_account_is_refused(client):
    user = PatientFactory()
    _, raw = services.create_api_token(user=user, name="script")
    user.is_active = False
    user.save()

    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 401


def test_a_staff_token_is_refused_until_two_factor_is_set_up(client):
    therapist = TherapistFactory(mfa=False)
    _, raw = services.create_api_token(user=therapist, name="script")

    assert client.get("/api/v1/me", **_bearer(raw)).status_code == 403


def test_the_account_page_needs_a_signed_in_user(client):
    response = client.get(reverse("accounts:account"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_create_api_token_command_prints_a_working_token(client, capsys):
    from django.core.management import call_command

    user = PatientFactory()
    call_command("create_api_token", user.email, "--name", "cron")

    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert client.get("/api/v1/me", **_bearer(raw)).json()["email"] == user.email


def test_create_api_token_command_refuses_an_unknown_email():
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No account"):
        call_command("create_api_token", "nobody@example.org")
