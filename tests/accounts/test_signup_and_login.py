"""Sign-up, email verification, login and its rate limit (allauth with our settings)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from sciaticare.accounts.models import Role, User
from tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.person@example.org",
    "password1": "calf-stretch-every-day",
    "password2": "calf-stretch-every-day",
    "first_name": "Ana",
    "last_name": "Lima",
}


def _verification_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body)
    assert match, body
    return match.group(1)


def test_signup_makes_a_patient_who_must_verify_email_before_signing_in(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert user.roles == {Role.PATIENT}
    assert user.first_name == "Ana"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # Not signed in until the address is verified.
    assert client.get(reverse("web:dashboard")).status_code == 302

    login = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert login.status_code == 302
    assert "dashboard" not in login["Location"]

    link = _verification_link(mail.outbox[-1].body)
    client.post(link)
    assert EmailAddress.objects.get(user=user).verified

    login = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert login["Location"] == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200


def test_signup_mail_greets_from_the_product_not_the_host(client):
    client.post(reverse("account_signup"), SIGNUP)

    (message,) = mail.outbox
    assert "Hello from Sciaticare" in message.body
    assert "Hello from testserver" not in message.body
    assert "127.0.0.1:8000!" not in message.body


@pytest.mark.parametrize("sent_from", ["testserver", "127.0.0.1"])
def test_signup_mail_names_the_product_and_links_to_site_url(client, settings, sent_from):
    settings.SITE_URL = "https://care.example.org"
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    client.post(reverse("account_signup"), SIGNUP, HTTP_HOST=sent_from)

    (message,) = mail.outbox
    assert "Sciaticare" in message.subject
    assert "Sciaticare" in message.body
    for host in ("127.0.0.1", "testserver"):
        assert host not in message.subject
        assert host not in message.body
    assert "https://care.example.org/accounts/confirm-email/" in message.body


def test_password_reset_mail_names_the_product_and_links_to_site_url(client, settings):
    settings.SITE_URL = "https://care.example.org"
    client.post(reverse("account_reset_password"), {"email": PatientFactory().email})

    (message,) = mail.outbox
    assert "Sciaticare" in message.subject
    assert "Sciaticare" in message.body
    for host in ("127.0.0.1", "testserver"):
        assert host not in message.subject
        assert host not in message.body
    assert "https://care.example.org/accounts/password/reset/key/" in message.body


def test_confirm_page_asks_about_the_address_not_a_user(client):
    client.post(reverse("account_signup"), SIGNUP)
    page = client.get(_verification_link(mail.outbox[-1].body))

    text = page.content.decode()
    assert "is an email address for user" not in text
    assert SIGNUP["email"] in text


def test_signup_as_therapist_grants_therapist_role(client):
    client.post(reverse("account_signup"), {**SIGNUP, "is_therapist": "on"})

    assert User.objects.get(email=SIGNUP["email"]).roles == {Role.PATIENT, Role.THERAPIST}


def test_signup_refuses_a_weak_password_with_the_reason(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "password1": "12345678", "password2": "12345678"}
    )

    assert response.status_code == 200
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    assert b"too short" in response.content or b"too common" in response.content


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS

    user = PatientFactory()

    assert user.password.startswith("argon2")


def test_login_with_email_and_password(client):
    user = PatientFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response["Location"] == reverse("web:dashboard")


def test_repeated_failed_logins_are_rate_limited(client):
    user = PatientFactory()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})

    # Even the right password is refused while the limit holds.
    right = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert b"Too many failed login attempts" in right.content
    assert "_auth_user_id" not in client.session


def test_a_few_failed_logins_do_not_lock_the_account(client):
    user = PatientFactory()
    for _ in range(3):
        client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})

    right = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert right["Location"] == reverse("web:dashboard")


def test_password_reset_by_email_link(client):
    user = PatientFactory()

    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(
        r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[-1].body
    )
    assert link is not None
    form = client.get(link.group(1), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"password1": "a-brand-new-password-9", "password2": "a-brand-new-password-9"},
    )

    user.refresh_from_db()
    assert user.check_password("a-brand-new-password-9")


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    known = client.post(reverse("account_reset_password"), {"email": PatientFactory().email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
