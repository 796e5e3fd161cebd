"""The person's language (docs/i18n.md): the browser's Accept-Language by default, the switcher
for everyone (a cookie), kept on the account of a signed-in person, whose pages follow it
whatever the browser asks; the language the sign-up page was read in is kept at sign-up."""

import pytest
from django.conf import settings
from django.urls import reverse

from sciaticare.accounts.models import User
from tests.accounts.test_signup_and_login import SIGNUP
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:language")


def _home(client, **headers):
    return client.get(reverse("web:home"), **headers)


def test_the_browsers_language_is_the_default(client):
    spanish = _home(client, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9,en;q=0.5")
    assert spanish["Content-Language"] == "es"
    assert '<html lang="es">' in spanish.content.decode()
    assert "Cerrar sesión" not in spanish.content.decode()  # nobody is signed in
    assert "Saltar al contenido" in spanish.content.decode()

    english = _home(client, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")  # not offered: English
    assert english["Content-Language"] == "en"
    assert "Skip to content" in english.content.decode()


def test_the_switcher_keeps_a_visitors_choice_in_a_cookie_and_goes_back(client):
    response = client.post(SWITCH, {"language": "es", "next": "/therapists/?near=Leeds"})

    assert response.status_code == 302
    assert response["Location"] == "/therapists/?near=Leeds"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Saltar al contenido" in _home(client, HTTP_ACCEPT_LANGUAGE="en").content.decode()


@pytest.mark.parametrize(
    "away",
    [
        "https://evil.example/",
        "//evil.example/x",
        "javascript:alert(1)",
        "2026-02-30T10:00:00+00:00",  # no view name either: it was a 500
        "web:dashboard",
    ],
)
def test_the_switcher_never_sends_a_person_off_the_site(client, away):
    response = client.post(SWITCH, {"language": "es", "next": away})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize("bad", ["", "fr", "es-xx", "<b>", "e" * 300])
def test_a_language_the_site_is_not_written_in_is_a_clear_400(client, bad):
    response = client.post(SWITCH, {"language": bad})

    assert response.status_code == 400
    assert "Choose one of the languages the site is written in: en, es." in response.text
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_signed_in_person_keeps_the_choice_on_the_account_whatever_the_browser_asks(client):
    patient = PatientFactory()
    client.force_login(patient)
    assert patient.language == "en"

    client.post(SWITCH, {"language": "es", "next": "/dashboard/"})
    patient.refresh_from_db()
    assert patient.language == "es"

    # Another browser, asking for English, with no cookie: the account decides.
    other = client.__class__()
    other.force_login(patient)
    page = other.get(reverse("web:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "es"
    assert "Cerrar sesión" in page.content.decode()


@pytest.mark.parametrize(("asked", "kept"), [("es-MX,es;q=0.9", "es"), ("en-GB", "en"), ("", "en")])
def test_sign_up_keeps_the_language_the_page_was_read_in(client, asked, kept):
    response = client.post(reverse("account_signup"), SIGNUP, HTTP_ACCEPT_LANGUAGE=asked)

    assert response.status_code == 302
    assert User.objects.get(email=SIGNUP["email"]).language == kept


def test_the_switcher_names_each_language_in_itself_whatever_the_page_is_in(client):
    for asked in ("en", "es"):
        page = _home(client, HTTP_ACCEPT_LANGUAGE=asked).content.decode()
        assert '<option value="en" lang="en"' in page
        assert ">English</option>" in page
        assert ">Español</option>" in page
        assert "Inglés" not in page


def test_a_form_sent_with_a_stale_token_is_a_403_in_the_pages_language(client):
    """The switcher in a tab left open while signing in elsewhere: no bare debugging page."""
    guarded = client.__class__(enforce_csrf_checks=True)
    response = guarded.post(SWITCH, {"language": "en"}, HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert "DEBUG" not in page
    assert "No se ha cambiado nada." in page


def test_the_account_page_offers_the_download_only_to_whom_it_opens_for(client):
    """The link to "download everything" answers 403 to staff: they are told whom to ask."""
    therapist = TherapistFactory()
    therapist.is_patient = False
    therapist.save(update_fields=["is_patient"])
    client.force_login(therapist)
    page = client.get(reverse("accounts:account")).content.decode()
    assert reverse("interop:your_data") not in page
    assert "ask a site admin" in page

    client.force_login(PatientFactory())
    assert reverse("interop:your_data") in client.get(reverse("accounts:account")).content.decode()
