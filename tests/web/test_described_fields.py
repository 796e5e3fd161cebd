"""Every `aria-describedby` a form page gives points at text a screen reader can read out: an
element with that id, not empty, in the page as a browser parses it (tinyhtml5, the HTML5
parser WeasyPrint uses). The sign-up page's password rules sat in a list inside a paragraph,
which the browser closes, so the field's description was empty (found by an outside test)."""

from __future__ import annotations

from typing import Any

import pytest
import tinyhtml5
from django.urls import reverse

from tests.directory.factories import TherapistProfileFactory
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
XHTML = "{http://www.w3.org/1999/xhtml}"


def _unread_descriptions(html: str) -> list[str]:
    document = tinyhtml5.parse(html)
    by_id = {element.get("id"): element for element in document.iter() if element.get("id")}
    problems = []
    for element in document.iter():
        if element.get("type") == "hidden":  # never read out (Django names a description on
            continue  # a field carried hidden to a confirm step)
        for ref in (element.get("aria-describedby") or "").split():
            target = by_id.get(ref)
            if target is None:
                problems.append(f"{element.get('name') or element.tag}: no #{ref}")
            elif not "".join(target.itertext()).strip():
                problems.append(f"{element.get('name') or element.tag}: #{ref} is empty")
    return problems


def _pages(client: Any) -> dict[str, str]:
    pages = {
        "sign-up": client.get(reverse("account_signup")),
        "sign-up refused": client.post(
            reverse("account_signup"), {"email": "not-an-email", "password1": "short"}
        ),
        "sign-in refused": client.post(
            reverse("account_login"), {"login": "nobody@example.com", "password": "wrong"}
        ),
        "password reset": client.get(reverse("account_reset_password")),
    }
    pages["search refused"] = client.get(
        reverse("directory:search"), {"place": "Manchester", "radius_km": "x", "modality": "y"}
    )
    pages["search filters refused"] = client.get(
        reverse("directory:search"), {"place": "London", "max_price": "abc", "language": "xx"}
    )
    client.force_login(PatientFactory())
    pages["intake refused"] = client.post(reverse("intake:form"), {"age": "500"})
    therapist = TherapistProfileFactory()
    waitlist = f"{reverse('scheduling:waitlist_join')}?therapist={therapist.pk}"
    pages["waitlist refused"] = client.post(
        waitlist, {"earliest": "", "latest": "", "scope": "therapist"}
    )
    pages["password change refused"] = client.post(
        reverse("account_change_password"), {"oldpassword": "wrong", "password1": "x"}
    )
    return {name: response.content.decode() for name, response in pages.items()}


def test_every_description_a_form_field_names_is_there_and_says_something(client):
    for name, html in _pages(client).items():
        assert _unread_descriptions(html) == [], name
        if name.endswith("refused") and not name.startswith("sign-in"):  # a field was refused
            assert 'aria-invalid="true"' in html, name


def test_the_password_rules_are_the_password_fields_description(client):
    document = tinyhtml5.parse(client.get(reverse("account_signup")).content.decode())
    field = next(e for e in document.iter(f"{XHTML}input") if e.get("name") == "password1")
    described = next(e for e in document.iter() if e.get("id") == field.get("aria-describedby"))

    assert "at least" in "".join(described.itertext())
