from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from sciaticare.accounts.models import Role


def navigation_for(user: Any) -> list[tuple[str, str]]:
    """The links a person sees, by the roles they hold (label, url)."""
    if not user.is_authenticated:
        return [
            ("Symptom check", reverse("check")),
            ("Sign in", reverse("account_login")),
            ("Create account", reverse("account_signup")),
        ]
    links = [("Dashboard", reverse("web:dashboard"))]
    if user.has_role(Role.PATIENT):
        links.append(("My intake", reverse("intake:home")))
    if user.has_role(Role.THERAPIST):
        links.append(("Clients", reverse("intake:clients")))
    if user.has_role(Role.CLINIC_ADMIN) or user.has_role(Role.SITE_ADMIN):
        links.append(("Questionnaires", reverse("intake:import_questionnaire")))
    if user.has_role(Role.SITE_ADMIN):
        links.append(("Site admin", reverse("admin:index")))
    links.append(("Account", reverse("accounts:account")))
    return links


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "staff_mfa_required": settings.STAFF_MFA_REQUIRED,
        "nav_links": navigation_for(request.user),
    }
