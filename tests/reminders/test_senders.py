"""The text-message senders: Twilio's official library against a local Messages API, and the
demo's console sender; the choice by settings; the site's VAPID keys."""

from __future__ import annotations

import io

import pytest
from django.core import checks
from django.core.management import call_command

from sciaticare.reminders import sms
from sciaticare.reminders.apps import vapid_keys_pair
from sciaticare.reminders.push import new_key_pair
from tests.reminders.conftest import ACCOUNT_SID, AUTH_TOKEN


def test_the_twilio_sender_posts_to_the_messages_api_and_returns_its_sid(twilio):
    sender = sms.TwilioSender(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, sender="+15005550006", api_base=twilio.url
    )

    sid = sender.send(to="+447400123456", body="Hello")

    assert sid.startswith("SM")
    assert len(sid) == 34
    assert twilio.messages == [{"To": "+447400123456", "From": "+15005550006", "Body": "Hello"}]


def test_a_messaging_service_sends_in_place_of_a_number(twilio):
    sender = sms.TwilioSender(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, sender="MG" + "0" * 32, api_base=twilio.url
    )

    sender.send(to="+447400123456", body="Hello")

    assert twilio.messages[0]["MessagingServiceSid"] == "MG" + "0" * 32
    assert "From" not in twilio.messages[0]


def test_a_wrong_token_is_refused_by_the_api(twilio):
    sender = sms.TwilioSender(
        account_sid=ACCOUNT_SID, auth_token="wrong", sender="+15005550006", api_base=twilio.url
    )

    with pytest.raises(sms.SmsRefused) as refused:
        sender.send(to="+447400123456", body="Hello")

    assert refused.value.code == "twilio_20003"
    assert twilio.messages == []


def test_an_unsubscribed_number_is_reported_as_opted_out(twilio):
    twilio.refuse("+447400123456", status=400, code=21610)
    sender = sms.TwilioSender(
        account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, sender="+15005550006", api_base=twilio.url
    )

    with pytest.raises(sms.SmsRefused) as refused:
        sender.send(to="+447400123456", body="Hello")

    assert refused.value.opted_out is True


def test_the_console_sender_prints_the_text():
    out = io.StringIO()

    reference = sms.ConsoleSender(out).send(to="+447400123456", body="Hello")

    assert reference.startswith("console-")
    assert "Text message to +447400123456" in out.getvalue()
    assert "Hello" in out.getvalue()


@pytest.mark.parametrize(
    ("backend", "kind"),
    [("", type(None)), ("console", sms.ConsoleSender), ("twilio", sms.TwilioSender)],
)
def test_settings_choose_the_sender(settings, backend, kind):
    settings.SMS_BACKEND = backend
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT_SID, AUTH_TOKEN
    settings.TWILIO_FROM = "+15005550006"

    assert isinstance(sms.sender(), kind)


def test_make_vapid_keys_prints_a_pair_the_check_accepts(settings, capsys):
    call_command("make_vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    settings.VAPID_PUBLIC_KEY = lines["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = lines["VAPID_PRIVATE_KEY"]

    assert vapid_keys_pair() == []


def test_the_check_names_keys_that_are_not_a_pair(settings):
    settings.VAPID_PUBLIC_KEY, _ = new_key_pair()
    _, settings.VAPID_PRIVATE_KEY = new_key_pair()

    (problem,) = vapid_keys_pair()

    assert problem.id == "reminders.E001"
    assert problem.level == checks.ERROR
    assert "not the public half" in problem.msg
