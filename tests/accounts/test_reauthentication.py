"""Changing email, password or two-factor asks for the password again (allauth re-authentication,
`ACCOUNT_REAUTHENTICATION_REQUIRED`): signing in is not enough, only a re-authentication in the
last five minutes is. The password change form asks for the current password itself."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.factories import PASSWORD, PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

# Where allauth records when and how the session's user proved who they are.
AUTHENTICATIONS_KEY = "account_authentication_methods"
NEW_EMAIL = "second.address@example.org"


def _sign_in(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" in client.session


def _age_authentication(client, seconds: float) -> None:
    session = client.session
    session[AUTHENTICATIONS_KEY] = [
        {**record, "at": record["at"] - seconds} for record in session[AUTHENTICATIONS_KEY]
    ]
    session.save()


def _add_email(client):
    return client.post(reverse("account_email"), {"email": NEW_EMAIL, "action_add": ""})


def test_adding_an_email_asks_for_the_password_first(client):
    patient = PatientFactory()
    _sign_in(client, patient)

    response = _add_email(client)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()

    # With the password given again, the change goes through.
    client.post(response["Location"], {"password": PASSWORD})
    _add_email(client)
    assert EmailAddress.objects.filter(user=patient, email=NEW_EMAIL).exists()


def test_a_wrong_password_on_re_authentication_changes_nothing(client):
    _sign_in(client, PatientFactory())
    ask = _add_email(client)

    answer = client.post(ask["Location"], {"password": "not-my-password"})

    assert answer.status_code == 200
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()


def test_removing_or_making_an_email_primary_also_asks_again(client):
    patient = PatientFactory()
    EmailAddress.objects.create(user=patient, email=NEW_EMAIL, verified=True, primary=False)
    _sign_in(client, patient)

    remove = client.post(reverse("account_email"), {"email": NEW_EMAIL, "action_remove": ""})
    primary = client.post(reverse("account_email"), {"email": NEW_EMAIL, "action_primary": ""})

    assert remove["Location"].startswith(reverse("account_reauthenticate"))
    assert primary["Location"].startswith(reverse("account_reauthenticate"))
    address = EmailAddress.objects.get(email=NEW_EMAIL)
    assert not address.primary


def test_re_authentication_lasts_five_minutes(client):
    patient = PatientFactory()
    _sign_in(client, patient)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    added = _add_email(client)
    assert not added["Location"].startswith(reverse("account_reauthenticate"))
    assert EmailAddress.objects.filter(user=patient, email=NEW_EMAIL).exists()

    _age_authentication(client, 6 * 60)
    again = client.post(reverse("account_email"), {"email": NEW_EMAIL, "action_remove": ""})
    assert again["Location"].startswith(reverse("account_reauthenticate"))
    assert EmailAddress.objects.filter(user=patient, email=NEW_EMAIL).exists()


def test_changing_the_password_needs_the_current_one(client):
    patient = PatientFactory()
    _sign_in(client, patient)
    new = "a-brand-new-password-9"

    refused = client.post(
        reverse("account_change_password"),
        {"oldpassword": "a-guess", "password1": new, "password2": new},
    )
    patient.refresh_from_db()
    assert refused.status_code == 200
    assert patient.check_password(PASSWORD)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    patient.refresh_from_db()
    assert patient.check_password(new)


def test_turning_off_two_factor_asks_again(client):
    therapist = TherapistFactory()  # enrolled in TOTP
    client.force_login(therapist)  # a session with no recent proof of identity

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert Authenticator.objects.filter(user=therapist, type=Authenticator.Type.TOTP).exists()


def test_new_recovery_codes_ask_again(client):
    therapist = TherapistFactory()
    client.force_login(therapist)

    response = client.post(reverse("mfa_generate_recovery_codes"))

    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
