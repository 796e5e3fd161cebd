"""Replies to our texts: Twilio posts them to /reminders/sms/inbound/ signed with the account's
auth token (X-Twilio-Signature over our public URL and the fields); STOP and its synonyms turn
texts off for that number, START turns them on; a request not signed so is a 403 and changes
nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from sciaticare.reminders.models import SmsOptOut
from sciaticare.reminders.selectors import reachable
from sciaticare.reminders.services.replies import START_WORDS, STOP_WORDS
from tests.factories import PatientFactory
from tests.reminders.conftest import AUTH_TOKEN

pytestmark = pytest.mark.django_db
URL = "/reminders/sms/inbound/"
NUMBER = "+447400123456"


@pytest.fixture
def webhook(settings, twilio):
    """Posts as Twilio does, signed with `token` (the account's by default)."""
    settings.SITE_URL = "https://care.example.org"

    def post(
        body: str, *, token: str = AUTH_TOKEN, sender: str = NUMBER, client: Client | None = None
    ):
        fields = {"From": sender, "To": "+15005550006", "Body": body, "MessageSid": "SM" + "1" * 32}
        signature = RequestValidator(token).compute_signature(settings.SITE_URL + URL, fields)
        return (client or Client()).post(URL, fields, headers={"x-twilio-signature": signature})

    return post


@pytest.mark.parametrize("word", [*sorted(STOP_WORDS), "stop", " Stop. "])
def test_stop_and_its_synonyms_turn_texts_off_for_the_number(webhook, word):
    person = PatientFactory(phone=NUMBER)

    response = webhook(word)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response />")
    assert SmsOptOut.objects.filter(phone=NUMBER).exists()
    assert "sms" not in reachable(person)


@pytest.mark.parametrize("word", sorted(START_WORDS))
def test_start_turns_them_on_again(webhook, word, settings):
    person = PatientFactory(phone=NUMBER)
    webhook("STOP")

    webhook(word)

    assert not SmsOptOut.objects.exists()
    assert "sms" in reachable(person)


def test_any_other_reply_changes_nothing_and_is_answered_in_the_persons_language(webhook):
    PatientFactory(phone=NUMBER, language="es")

    response = webhook("¿A qué hora era?")

    assert response.status_code == 200
    assert "no leemos las respuestas a este número" in response.content.decode()
    assert not SmsOptOut.objects.exists()


@pytest.mark.parametrize("token", ["a-guessed-token", ""])
def test_a_request_not_signed_with_the_accounts_token_is_refused(webhook, token):
    response = webhook("STOP", token=token or "x")
    unsigned = Client().post(URL, {"From": NUMBER, "Body": "STOP"})

    assert response.status_code == 403
    assert unsigned.status_code == 403
    assert not SmsOptOut.objects.exists()


def test_a_signed_request_is_refused_when_the_site_has_no_token(webhook, settings):
    settings.TWILIO_AUTH_TOKEN = ""

    assert webhook("STOP", token="").status_code == 403
    assert not SmsOptOut.objects.exists()


def test_a_signature_for_other_fields_is_refused(webhook, settings):
    fields = {"From": NUMBER, "Body": "START"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(settings.SITE_URL + URL, fields)

    response = Client().post(
        URL, {**fields, "From": "+447400999999"}, headers={"x-twilio-signature": signature}
    )

    assert response.status_code == 403


def test_a_sender_that_is_not_a_number_changes_nothing(webhook):
    response = webhook("STOP", sender="Sciaticare")

    assert response.status_code == 200
    assert not SmsOptOut.objects.exists()


def test_only_post(client):
    assert client.get(URL).status_code == 405


def test_the_webhook_is_rate_limited_per_address(webhook, settings, rate_clock):
    settings.RATE_LIMITS_ENABLED = True
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sms_inbound": "2/m"}

    statuses = [webhook("hello").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
