"""The account's words in Spanish (docs/i18n.md): the account page with its days, its language
and its forms' errors, sign-up's errors, the 429 page, and the account mail, which is written in
the recipient's language whatever the language of the page that sent it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from sciaticare.accounts import services, views
from tests.accounts.test_signup_and_login import SIGNUP
from tests.factories import PatientFactory, TherapistFactory

pytestmark = pytest.mark.django_db

SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-ES,es;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def test_the_account_page_in_spanish_with_its_clock_tokens_and_language(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    person = PatientFactory(language="es", time_zone="Europe/Madrid")
    services.create_api_token(user=person, name="diario", now=NOW, lifetime=timedelta(days=90))
    client.force_login(person)

    body = client.get(reverse("accounts:account"), **ENGLISH).content.decode()

    assert "<h1>Su cuenta</h1>" in body
    assert "Funciones: Paciente" in body
    assert "Su reloj: sábado, 5 de diciembre de 2026, 10:30 (Europe/Madrid)." in body
    assert "Su zona horaria" in body  # the form's label
    assert "Idioma de sus páginas, correos y recordatorios: Español." in body
    assert '<select id="account-language" name="language">' in body
    assert '<option value="es" lang="es" selected>Español</option>' in body
    assert "Un token funciona durante 90 días" in body
    assert "5 dic 2026, 09:30 UTC" in body  # made (on the server's clock, as before)
    assert "5 mar 2027" in body  # expires
    assert "nunca" in body  # never used


def test_the_account_page_in_english_is_unchanged(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    person = PatientFactory(time_zone="Europe/London")
    services.create_api_token(user=person, name="diary", now=NOW, lifetime=timedelta(days=90))
    client.force_login(person)

    body = client.get(reverse("accounts:account")).content.decode()

    assert "Your clock: Saturday 5 December 2026, 09:30 (Europe/London)." in body
    assert "A token works for 90 days;" in body
    assert "5 Dec 2026, 09:30 UTC" in body
    assert "5 Mar 2027" in body
    assert "The language of your pages, mail and reminders: English." in body


def test_the_account_pages_language_select_keeps_the_choice_on_the_account(client):
    person = PatientFactory()
    client.force_login(person)

    response = client.post(
        reverse("accounts:language"), {"language": "es", "next": reverse("accounts:account")}
    )

    assert response["Location"] == reverse("accounts:account")
    person.refresh_from_db()
    assert person.language == "es"
    assert "Su cuenta" in client.get(reverse("accounts:account")).content.decode()


def test_a_bad_time_zone_is_refused_in_spanish_and_a_good_one_confirmed(client):
    client.force_login(PatientFactory(language="es"))

    refused = client.post(reverse("accounts:time_zone"), {"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 400
    assert "Mars/Olympus_Mons no es una zona horaria: elija una de la lista." in refused.text

    saved = client.post(reverse("accounts:time_zone"), {"time_zone": "Europe/Madrid"}, follow=True)
    assert "Su zona horaria es ahora Europe/Madrid." in saved.text
    assert 'label="Europa"' in saved.text  # the regions of the zone list


def test_a_name_with_a_line_break_is_refused_at_sign_up_in_spanish(client):
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "first_name": "Ana\nMaría"}, **SPANISH
    )

    assert response.status_code == 200
    assert "Un nombre no puede contener saltos de línea" in response.text
    assert "Soy terapeuta de masaje" in response.text


def test_the_too_many_attempts_page_in_spanish():
    request = RequestFactory().post(reverse("account_login"))
    request.user = AnonymousUser()
    with translation.override("es"):
        page = views.too_many_attempts(request).content.decode()

    assert "Demasiados intentos" in page
    assert "Demasiadas solicitudes. Espere" in page
    assert "Este límite protege su cuenta" in page


def test_sign_up_from_a_spanish_page_confirms_the_address_in_spanish(client):
    client.post(reverse("account_signup"), SIGNUP, **SPANISH)

    (sent,) = mail.outbox
    assert sent.subject == "[Sciaticare] Confirme su dirección de correo electrónico"
    assert sent.body.startswith("Hola desde Sciaticare:")
    assert "Alguien, probablemente usted, ha indicado esta dirección" in sent.body
    assert "Para confirmar la dirección, abra este enlace:" in sent.body


def test_a_password_reset_reaches_a_spanish_speaker_in_spanish_from_an_english_page(client):
    person = PatientFactory(language="es")

    client.post(reverse("account_reset_password"), {"email": person.email}, **ENGLISH)

    (sent,) = mail.outbox
    assert sent.subject == "[Sciaticare] Restablezca su contraseña"
    assert "ha pedido restablecer la contraseña de su cuenta de Sciaticare" in sent.body
    assert "Someone" not in sent.body


def test_a_password_reset_reaches_an_english_speaker_in_english_from_a_spanish_page(client):
    person = TherapistFactory()

    client.post(reverse("account_reset_password"), {"email": person.email}, **SPANISH)

    (sent,) = mail.outbox
    assert sent.subject == "[Sciaticare] Reset your password"
    assert sent.body.startswith("Hello from Sciaticare,")


def test_a_reset_for_an_address_with_no_account_is_in_the_language_of_the_page(client):
    client.post(reverse("account_reset_password"), {"email": "nadie@example.org"}, **SPANISH)

    (sent,) = mail.outbox
    assert "pero no existe ninguna cuenta con esta dirección" in sent.body
