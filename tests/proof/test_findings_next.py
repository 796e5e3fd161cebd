"""Finding 13.7: every view that takes a `next` sends people only to this site.

`POST /diary/` followed any `next` (`https://evil.example/…`, `//evil.example`) and answered 500
on `javascript:`. All views now go through `sciaticare.core.redirects.safe_next`.
"""

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from sciaticare.core.redirects import safe_next
from tests.directory.factories import TherapistProfileFactory
from tests.factories import PASSWORD, PatientFactory

OFF_SITE = [
    "https://evil.example/phish",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    "\x00/x",
    # Not off-site, but not a path either: redirect() took them for view names (a 500, found by
    # an outside test of issue 19's tenth session).
    "abc",
    "1",
    "\u00b2",
    "dashboard/",
]


def _diary_post(client: Any, target: str) -> Any:
    return client.post(reverse("outcomes:diary"), {"back_pain": 3, "leg_pain": 4, "next": target})


def _plan_post(client: Any, target: str) -> Any:
    profile = TherapistProfileFactory()
    return client.post(reverse("directory:plan_add"), {"therapist": profile.pk, "next": target})


VIEWS = {
    "diary": (_diary_post, "outcomes:diary"),
    "plan_add": (_plan_post, "directory:plan"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_next_falls_back_to_the_views_own_page(client, view, target):
    client.force_login(PatientFactory())
    post, fallback = VIEWS[view]

    response = post(client, target)

    assert response.status_code == 302
    assert response["Location"] == reverse(fallback)


@pytest.mark.django_db
@pytest.mark.parametrize("view", VIEWS)
def test_on_site_next_is_followed(client, view):
    client.force_login(PatientFactory())
    post, _ = VIEWS[view]

    response = post(client, "/dashboard/?from=quick-log")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?from=quick-log"


def test_safe_next_reads_get_too_and_resolves_a_url_name():
    request = RequestFactory().get("/x/", {"next": "https://evil.example/"})

    assert safe_next(request, "outcomes:diary") == reverse("outcomes:diary")
    assert safe_next(RequestFactory().get("/x/", {"next": "/ok/"}), "outcomes:diary") == "/ok/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", OFF_SITE[:5])
def test_sign_in_ignores_an_off_site_next(client, target):
    # allauth takes `next` on sign-in; it must keep to the same rule.
    patient = PatientFactory()

    response = client.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD, "next": target}
    )

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]
    assert not response["Location"].startswith("javascript:")
