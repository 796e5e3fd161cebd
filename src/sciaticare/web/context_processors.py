from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import Role

# The few links each role uses most; the dashboard carries the rest.
_ROLE_LINKS: dict[Role, list[tuple[str, str]]] = {
    Role.PATIENT: [
        (gettext_noop("Find a therapist"), "directory:search"),
        (gettext_noop("My intake"), "intake:home"),
        (gettext_noop("Appointments"), "scheduling:appointments"),
        (gettext_noop("Pain diary"), "outcomes:diary"),
        (gettext_noop("Payments"), "billing:payments"),
    ],
    Role.THERAPIST: [
        (gettext_noop("Week"), "scheduling:week"),
        (gettext_noop("Notes"), "records:sessions"),
        (gettext_noop("Clients"), "intake:clients"),
        (gettext_noop("Directory profile"), "directory:me"),
        (gettext_noop("My outcomes"), "outcomes:my_outcomes"),
    ],
    Role.CLINIC_ADMIN: [
        (gettext_noop("Find a therapist"), "directory:search"),
        (gettext_noop("Clinic"), "directory:clinic"),
        (gettext_noop("Clinic notes"), "records:clinic_notes"),
        (gettext_noop("Clinic outcomes"), "outcomes:clinic_outcomes_list"),
        (gettext_noop("Takings"), "billing:takings_home"),
    ],
    # Site admins verify credentials too (directory), but read no clinical records.
    Role.SITE_ADMIN: [
        (gettext_noop("Clinic"), "directory:clinic"),
        (gettext_noop("Clinic outcomes"), "outcomes:clinic_outcomes_list"),
        (gettext_noop("Site admin"), "admin:index"),
    ],
}


def navigation_for(user: Any) -> list[tuple[str, str]]:
    """The links a person sees, by the roles they hold (label, url), in the page's language."""
    if not user.is_authenticated:
        return [
            (gettext("Symptom check"), reverse("check")),
            (gettext("Find a therapist"), reverse("directory:search")),
            (gettext("Sign in"), reverse("account_login")),
            (gettext("Create account"), reverse("account_signup")),
        ]
    links = {gettext_noop("Dashboard"): reverse("web:dashboard")}
    for role in Role:
        if user.has_role(role):
            for label, name in _ROLE_LINKS[role]:
                links.setdefault(label, reverse(name))
    links[gettext_noop("Account")] = reverse("accounts:account")
    # Gathered by the English label (one link for two roles' "Find a therapist"), then shown
    # in the reader's language.
    return [(gettext(label), url) for label, url in links.items()]


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
