"""The home page, the dashboard and navigation by role."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from sciaticare.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from sciaticare.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_home_says_what_sciaticare_is_and_is_not(client):
    body = client.get(reverse("web:home")).content.decode()

    assert "does not diagnose" in body
    assert "emergency department" in body
    assert "cure" not in body.lower()
    assert 'name="viewport"' in body
    assert "<main" in body
    assert "<nav" in body


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("anonymous", ["Sign in", "Create account"], ["Dashboard", "Site admin", "Sign out"]),
        ("patient", ["Dashboard", "Account", "Sign out"], ["Site admin", "Sign in"]),
        ("therapist", ["Dashboard", "Account"], ["Site admin", "Sign in"]),
        ("clinic_admin", ["Dashboard", "Account"], ["Site admin"]),
        ("site_admin", ["Dashboard", "Site admin", "Account"], ["Sign in"]),
    ],
)
def test_navigation_changes_with_the_role(client, roles, role, shown, hidden):
    if roles[role]:
        client.force_login(roles[role])
    nav = client.get(reverse("web:home")).content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]

    for label in shown:
        assert label in nav
    for label in hidden:
        assert label not in nav


def test_dashboard_needs_sign_in(client):
    response = client.get(reverse("web:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_unknown_api_route_is_404(client):
    assert client.get("/api/v1/no-such-thing").status_code == 404


def test_openapi_document_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")

    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Sciaticare API"
    assert client.get("/api/v1/docs").status_code == 200


def test_seed_demo_creates_the_four_logins_and_is_idempotent(client):
    call_command("seed_demo")
    first = {u.email: u.pk for u in User.objects.all()}
    call_command("seed_demo")

    assert {u.email: u.pk for u in User.objects.all()} == first
    roles = {email: User.objects.get(email=email).roles for email, *_ in DEMO_ACCOUNTS}
    assert roles["patient@example.com"] == {Role.PATIENT}
    assert roles["therapist@example.com"] == {Role.THERAPIST}
    assert roles["clinic@example.com"] == {Role.CLINIC_ADMIN}
    assert roles["admin@example.com"] == {Role.SITE_ADMIN}
    for email, *_ in DEMO_ACCOUNTS:
        assert client.login(email=email, password=DEMO_PASSWORD)
