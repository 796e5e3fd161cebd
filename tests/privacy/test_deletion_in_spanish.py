"""Deleting an account in Spanish (docs/i18n.md): the page, its form's error, the sign-in
reminder and both mails follow the account's language; the days are written as Spanish writes
them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sciaticare.privacy import services
from tests.factories import PASSWORD, PatientFactory

pytestmark = pytest.mark.django_db
DELETE = reverse("privacy:delete")
# Fourteen days after this is 19 December 2026 on the patient's clock (London).
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _reauthenticated(client, user) -> None:
    """Signed in, and the password given again just now (a recent authentication)."""
    client.force_login(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})


def _spanish():
    return PatientFactory(language="es", first_name="Lucía")


def test_the_page_and_its_form_error_are_in_spanish(client):
    patient = _spanish()
    _reauthenticated(client, patient)

    page = client.get(DELETE).content.decode()
    refused = client.post(DELETE, {})

    assert "Eliminar su cuenta" in page
    assert "19 de diciembre de 2026" in page
    assert "dentro de 14 días" in page
    assert "Se conserva como historial clínico:" in page
    assert "notas de sesión" in page
    assert "8 años después de su última sesión" in page
    assert refused.status_code == 422
    assert "Marque la casilla para confirmar." in refused.content.decode()
    assert "Tick the box" not in refused.content.decode()


def test_both_mails_are_in_the_accounts_language_whoever_asks(client):
    patient = _spanish()
    _reauthenticated(client, patient)

    # The browser asks for English; the account's language decides the mail.
    client.post(DELETE, {"confirm": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    services.cancel_deletion(user=patient)

    asked, cancelled = mail.outbox[-2:]
    assert asked.subject == "[Sciaticare] Su cuenta se eliminará"
    assert asked.body.startswith("Hola, Lucía:")
    assert "Lo haremos el 19 de diciembre de 2026." in asked.body
    assert "cambie su contraseña" in asked.body
    assert cancelled.subject == "[Sciaticare] Su cuenta no se eliminará"
    assert "No se ha borrado nada." in cancelled.body


def test_english_stays_as_it_was():
    patient = PatientFactory(first_name="")

    services.request_deletion(user=patient)

    (asked,) = mail.outbox
    assert asked.subject == "[Sciaticare] Your account will be deleted"
    assert asked.body.startswith("Hello there,\n\nYou asked us to delete your Sciaticare account.")
    assert "We will do it on 19 December 2026." in asked.body


def test_signing_in_reminds_in_the_accounts_language(client):
    patient = _spanish()
    services.request_deletion(user=patient)

    page = client.post(
        reverse("account_login"),
        {"login": patient.email, "password": PASSWORD},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "Su cuenta se eliminará el 19 de diciembre de 2026." in page
