"""Therapists and clinic admins must use two-factor before they can see any patient data."""

import pytest
from django.urls import reverse

from tests.factories import (
    PASSWORD,
    ClinicAdminFactory,
    PatientFactory,
    TherapistFactory,
    totp_code,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [TherapistFactory, ClinicAdminFactory])
def test_staff_without_two_factor_are_sent_to_set_it_up(client, factory):
    person = factory(mfa=False)
    client.force_login(person)

    response = client.get(reverse("web:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("factory", [TherapistFactory, ClinicAdminFactory])
def test_staff_without_two_factor_get_403_from_the_api(client, factory):
    client.force_login(factory(mfa=False))

    response = client.get("/api/v1/me")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_staff_without_two_factor_may_still_manage_their_account(client):
    therapist = TherapistFactory(mfa=False)
    client.post(reverse("account_login"), {"login": therapist.email, "password": PASSWORD})

    # Setting up two-factor asks for the password again first (allauth re-authentication).
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    client.post(setup.redirect_chain[-1][0], {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert client.get(reverse("accounts:account")).status_code == 200
    assert client.get(reverse("web:home")).status_code == 200


def test_patients_need_no_second_factor(client):
    client.force_login(PatientFactory())

    assert client.get(reverse("web:dashboard")).status_code == 200


def test_staff_with_two_factor_sign_in_with_a_code(client):
    therapist = TherapistFactory()

    first = client.post(reverse("account_login"), {"login": therapist.email, "password": PASSWORD})
    assert first["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    second = client.post(reverse("mfa_authenticate"), {"code": totp_code(therapist.totp_secret)})

    assert second["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_a_wrong_code_does_not_sign_in(client):
    therapist = TherapistFactory()
    client.post(reverse("account_login"), {"login": therapist.email, "password": PASSWORD})

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_demo_can_switch_the_rule_off_and_then_says_so_on_every_page(client, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(TherapistFactory(mfa=False))

    response = client.get(reverse("web:dashboard"))

    assert response.status_code == 200
    assert b"Demo mode: two-factor sign-in" in response.content


def test_no_demo_banner_when_the_rule_is_on(client):
    response = client.get(reverse("web:home"))

    assert b"Demo mode" not in response.content
