from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.functional import SimpleLazyObject
from django.utils.translation import pgettext, pgettext_lazy

from sciaticare.accounts.models import Role

# The few links each role uses most (label, URL name); the dashboard carries the rest. Labels
# are translated when shown, in their own context: "Notes" and "Week" are a menu's words here,
# whatever other pages make of them.
_ROLE_LINKS: dict[Role, list[tuple[Any, str]]] = {
    Role.PATIENT: [
        (pgettext_lazy("navigation", "Find a therapist"), "directory:search"),
        (pgettext_lazy("navigation", "My intake"), "intake:home"),
        (pgettext_lazy("navigation", "Appointments"), "scheduling:appointments"),
        (pgettext_lazy("navigation", "Pain diary"), "outcomes:diary"),
        (pgettext_lazy("navigation", "Payments"), "billing:payments"),
    ],
    Role.THERAPIST: [
        (pgettext_lazy("navigation", "Week"), "scheduling:week"),
        (pgettext_lazy("navigation", "Notes"), "records:sessions"),
        (pgettext_lazy("navigation", "Clients"), "intake:clients"),
        (pgettext_lazy("navigation", "Directory profile"), "directory:me"),
        (pgettext_lazy("navigation", "My outcomes"), "outcomes:my_outcomes"),
    ],
    Role.CLINIC_ADMIN: [
        (pgettext_lazy("navigation", "Find a therapist"), "directory:search"),
        (pgettext_lazy("navigation", "Clinic"), "directory:clinic"),
        (pgettext_lazy("navigation", "Clinic notes"), "records:clinic_notes"),
        (pgettext_lazy("navigation", "Clinic outcomes"), "outcomes:clinic_outcomes_list"),
        (pgettext_lazy("navigation", "Takings"), "billing:takings_home"),
    ],
    # Site admins verify credentials too (directory), but read no clinical records.
    Role.SITE_ADMIN: [
        (pgettext_lazy("navigation", "Clinic"), "directory:clinic"),
        (pgettext_lazy("navigation", "Clinic outcomes"), "outcomes:clinic_outcomes_list"),
        (pgettext_lazy("navigation", "Site admin"), "admin:index"),
    ],
}


def navigation_for(user: Any) -> list[tuple[str, str]]:
    """The links a person sees, by the roles they hold (label, url), in the page's language."""
    if not user.is_authenticated:
        return [
            (pgettext("navigation", "Symptom check"), reverse("check")),
            (pgettext("navigation", "Find a therapist"), reverse("directory:search")),
            (pgettext("navigation", "Sign in"), reverse("account_login")),
            (pgettext("navigation", "Create account"), reverse("account_signup")),
        ]
    # By page: one "Find a therapist" for a patient who is also a clinic admin.
    links = {"web:dashboard": pgettext_lazy("navigation", "Dashboard")}
    for role in Role:
        if user.has_role(role):
            for label, name in _ROLE_LINKS[role]:
                links.setdefault(name, label)
    links["accounts:account"] = pgettext_lazy("navigation", "Account")
    return [(str(label), reverse(name)) for name, label in links.items()]


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
        # worker drops a kept page that is someone else's, and which pages it keeps.
        "offline_person": offline_person(user),
        "offline_keep": _offline_keep(user),
    }


def _offline_keep(user: Any) -> str:
    """The pages of the person's own data the app keeps for offline use, space-separated: a
    patient's diary and exercise programme."""
    is_patient = user.is_authenticated and user.has_role(Role.PATIENT)
    return f"{reverse('outcomes:diary')} {reverse('exercises:my_programme')}" if is_patient else ""


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
