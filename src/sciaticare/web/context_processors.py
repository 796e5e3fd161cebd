from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject

from sciaticare.accounts.models import Role

# The few links each role uses most; the dashboard carries the rest.
_ROLE_LINKS: dict[Role, list[tuple[str, str]]] = {
    Role.PATIENT: [
        ("Find a therapist", "directory:search"),
        ("My intake", "intake:home"),
        ("Appointments", "scheduling:appointments"),
        ("Pain diary", "outcomes:diary"),
        ("Payments", "billing:payments"),
    ],
    Role.THERAPIST: [
        ("Week", "scheduling:week"),
        ("Notes", "records:sessions"),
        ("Clients", "intake:clients"),
        ("Directory profile", "directory:me"),
        ("My outcomes", "outcomes:my_outcomes"),
    ],
    Role.CLINIC_ADMIN: [
        ("Find a therapist", "directory:search"),
        ("Clinic", "directory:clinic"),
        ("Clinic notes", "records:clinic_notes"),
        ("Clinic outcomes", "outcomes:clinic_outcomes_list"),
        ("Takings", "billing:takings_home"),
    ],
    # Site admins verify credentials too (directory), but read no clinical records.
    Role.SITE_ADMIN: [
        ("Clinic", "directory:clinic"),
        ("Clinic outcomes", "outcomes:clinic_outcomes_list"),
        ("Site admin", "admin:index"),
    ],
}


def navigation_for(user: Any) -> list[tuple[str, str]]:
    """The links a person sees, by the roles they hold (label, url)."""
    if not user.is_authenticated:
        return [
            ("Symptom check", reverse("check")),
            ("Find a therapist", reverse("directory:search")),
            ("Sign in", reverse("account_login")),
            ("Create account", reverse("account_signup")),
        ]
    links = {"Dashboard": reverse("web:dashboard")}
    for role in Role:
        if user.has_role(role):
            for label, name in _ROLE_LINKS[role]:
                links.setdefault(label, reverse(name))
    links["Account"] = reverse("accounts:account")
    return list(links.items())


def site(request: HttpRequest) -> dict[str, Any]:
    # Error pages for a bad Host header render before authentication has set `user`.
    user = getattr(request, "user", AnonymousUser())
    return {
        "staff_mfa_required": settings.STAFF_MFA_REQUIRED,
        "nav_links": navigation_for(user),
        # The red advice every page of a patient leads with while their current intake says
        # emergency or urgent (base.html). Lazy: one query, only for a patient, and none when
        # the view has put its own `triage_alert` in the context.
        "triage_alert": SimpleLazyObject(lambda: _triage_alert(user)),
        # The offline app (docs/offline.md, pwa.js): whose pages these are, so the service
        # worker drops a kept diary page that is someone else's, and which page it keeps.
        "offline_person": offline_person(user),
        "offline_keep": _offline_keep(user),
    }


def _offline_keep(user: Any) -> str:
    """The page of the person's own data the app keeps for offline use: a patient's diary."""
    is_patient = user.is_authenticated and user.has_role(Role.PATIENT)
    return reverse("outcomes:diary") if is_patient else ""


def offline_person(user: Any) -> str:
    """An opaque name for the signed-in person ("" for nobody): the same on every page of
    theirs, and not their id."""
    if not user.is_authenticated:
        return ""
    return salted_hmac("sciaticare.offline-person", str(user.pk), algorithm="sha256").hexdigest()[
        :20
    ]


def _triage_alert(user: Any) -> Any:
    from sciaticare.intake.selectors import triage_alert  # the web app reads intake's rule

    return triage_alert(patient=user)
