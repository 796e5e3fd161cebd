"""Notifications by Web Push: pywebpush signs with the site's VAPID key and encrypts to the
browser's keys; the local push service decrypts what a browser would show. Subscriptions that
the service no longer knows, that expired, or that keep failing are deleted."""

from __future__ import annotations

import base64
import json
from datetime import time, timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core import mail
from django.urls import reverse

from sciaticare.core.errors import Invalid
from sciaticare.privacy.tasks import run_daily_deletions
from sciaticare.reminders.models import MAX_PUSH_FAILURES, Channel, Delivery, Kind, PushSubscription
from sciaticare.reminders.push import accepts_endpoint
from sciaticare.reminders.services.devices import MAX_DEVICES, add_device
from sciaticare.reminders.services.preferences import save_preferences
from sciaticare.scheduling import notifications
from tests.reminders.conftest import patient_in, session_for

pytestmark = pytest.mark.django_db


def subscribe(person, push_service, *, expires_in: timedelta | None = None, now=None):
    browser = push_service.browser()
    add_device(
        user=person,
        endpoint=browser.endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth,
        expires_at=None if expires_in is None else now + expires_in,
    )
    return browser


def wants_push(person):
    save_preferences(
        user=person,
        choices={Kind.APPOINTMENT: {Channel.PUSH}},
        quiet_start=time(22),
        quiet_end=time(8),
    )


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def remind(appointment) -> int:
    return notifications.send_reminder.call(appointment.pk, appointment.start.isoformat())


def test_a_reminder_reaches_the_device_signed_encrypted_and_without_health_data(
    clock, push_service, vapid_keys
):
    patient = patient_in()
    wants_push(patient)
    browser = subscribe(patient, push_service)
    appointment = session_for(patient, clock.at + timedelta(hours=24))

    assert remind(appointment) == 1

    (pushed,) = push_service.received
    assert pushed.payload == {
        "title": "Sciaticare",
        "body": "Reminder: your massage with Ada Byrne is on Wednesday 15 July, 10:00 "
        "(Europe/London time).",
        "url": f"http://127.0.0.1:8000{reverse('scheduling:appointment', args=[appointment.pk])}",
        "tag": f"appointment:{appointment.pk}",
    }
    headers = {name.lower(): value for name, value in pushed.headers.items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert 0 < int(headers["ttl"]) <= 24 * 3600  # never past the session
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == vapid_keys[0]
    signed, _, signature = fields["t"].rpartition(".")
    claims = json.loads(_unb64(signed.split(".")[1]))
    assert claims["aud"] == push_service.url
    assert claims["sub"] == "mailto:care@sciaticare.example"
    # ES256 with the site's public key (RFC 8292 §2): the signature is r ‖ s.
    raw = _unb64(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unb64(vapid_keys[0]))
    public.verify(
        encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:])),
        signed.encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    assert mail.outbox == []
    assert browser.endpoint == PushSubscription.objects.get().endpoint


def test_a_subscription_the_push_service_has_forgotten_is_deleted(clock, push_service):
    patient = patient_in()
    wants_push(patient)
    browser = subscribe(patient, push_service)
    push_service.answer(browser.endpoint, 410)
    appointment = session_for(patient, clock.at + timedelta(hours=24))

    assert remind(appointment) == 0

    assert not PushSubscription.objects.exists()
    assert Delivery.objects.get().error == "push_gone"
    # With no device left, the next reminder comes by mail.
    later = session_for(patient, clock.at + timedelta(hours=26), first_name="Bea")
    assert remind(later) == 1
    assert len(mail.outbox) == 1


def test_a_device_that_keeps_failing_is_dropped_after_five_failures(clock, push_service):
    patient = patient_in()
    wants_push(patient)
    browser = subscribe(patient, push_service)
    push_service.answer(browser.endpoint, 500)

    for hours in range(MAX_PUSH_FAILURES):
        appointment = session_for(patient, clock.at + timedelta(hours=24 + hours))
        assert remind(appointment) == 0
        assert PushSubscription.objects.exists() is (hours < MAX_PUSH_FAILURES - 1)
    assert set(Delivery.objects.values_list("error", flat=True)) == {"push_500"}


def test_one_device_working_is_enough_and_resets_its_failures(clock, push_service):
    patient = patient_in()
    wants_push(patient)
    broken, working = subscribe(patient, push_service), subscribe(patient, push_service)
    push_service.answer(broken.endpoint, 503)

    assert remind(session_for(patient, clock.at + timedelta(hours=24))) == 1

    assert [p.endpoint for p in push_service.received] == [working.endpoint]
    assert dict(PushSubscription.objects.values_list("endpoint", "failures")) == {
        broken.endpoint: 1,
        working.endpoint: 0,
    }


def test_an_expired_subscription_is_never_used_and_the_daily_purge_deletes_it(clock, push_service):
    patient = patient_in()
    wants_push(patient)
    subscribe(patient, push_service, expires_in=timedelta(hours=1), now=clock.at)
    appointment = session_for(patient, clock.at + timedelta(hours=24))
    clock.at += timedelta(hours=2)

    assert remind(appointment) == 1  # by mail: no live device

    assert push_service.received == []
    _, purged = run_daily_deletions()
    assert ("expired push subscription(s)", 1) in purged
    assert not PushSubscription.objects.exists()


# --- Which subscriptions are accepted ---------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "accepted"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", True),
        ("https://wns2-par02p.notify.windows.com/w/?token=abc", True),
        ("https://web.push.apple.com/QG9", True),
        ("http://fcm.googleapis.com/fcm/send/abc", False),  # not https
        ("https://fcm.googleapis.com:8443/fcm/send/abc", False),  # another port
        ("https://user@fcm.googleapis.com/fcm/send/abc", False),
        ("https://fcm.googleapis.com.evil.example/x", False),
        ("https://169.254.169.254/latest/meta-data/", False),
        # The attack finding: "*" matched a backslash, which ends the host for urllib3.
        ("https://127.0.0.1\\.notify.windows.com/x", False),
        ("https://169.254.169.254\\.push.apple.com/x", False),
        ("https://attacker.example:6379\\.notify.windows.com/x", False),
        ("https://fcm.googleapis.com@evil.example/x", False),
        ("https://fcm.googleapis.com%2f@evil.example/x", False),
        ("https://evil.example#.push.apple.com/x", False),
        ("https://evil.example?.push.apple.com/x", False),
        ("https://.notify.windows.com/x", False),
        ("https://a..notify.windows.com/x", False),
        ("https://notify.windows.com/x", False),  # the suffix alone is no push service
        ("https://FCM.googleapis.com/fcm/send/abc", False),  # browsers give it in lower case
        ("https://wns2-par02p.notify.windows.com/w/?token=AwYAAAD%2bxy%3d", True),
        ("http://127.0.0.1:8000/admin/", False),
        ("not a url", False),
    ],
)
def test_only_the_browsers_push_services_are_accepted(settings, endpoint, accepted):
    settings.PUSH_SERVICES = [
        "https://fcm.googleapis.com",
        "https://updates.push.services.mozilla.com",
        "https://*.notify.windows.com",
        "https://*.push.apple.com",
    ]
    assert accepts_endpoint(endpoint) is accepted


def test_a_subscription_is_refused_with_a_reason(clock, push_service):
    patient = patient_in()
    browser = push_service.browser()
    cases = {
        "push_service_refused": {"endpoint": "https://169.254.169.254/x"},
        "push_keys_invalid": {"p256dh": "bm90IGEga2V5"},
        # 65 bytes beginning 0x04, as a key is, but no point on the curve (attack finding).
        "push_keys_invalid_point": {"p256dh": _not_a_point()},
        "push_expired": {"expires_at": clock.at - timedelta(seconds=1)},
    }
    for code, change in cases.items():
        fields = {
            "endpoint": browser.endpoint,
            "p256dh": browser.p256dh,
            "auth": browser.auth,
            "expires_at": None,
            **change,
        }
        with pytest.raises(Invalid) as refused:
            add_device(user=patient, **fields)
        assert refused.value.code == code.removesuffix("_point")
    assert not PushSubscription.objects.exists()


def _not_a_point() -> str:
    return base64.urlsafe_b64encode(b"\x04" + b"\x01" * 64).rstrip(b"=").decode()


def test_a_device_whose_key_cannot_be_sent_to_fails_alone(clock, push_service):
    """A stored key that is no point on the curve (kept before keys were checked) fails its
    device and the send goes on: the other device still gets it, nothing stays "sending"."""
    patient = patient_in()
    wants_push(patient)
    broken, working = subscribe(patient, push_service), subscribe(patient, push_service)
    PushSubscription.objects.filter(endpoint=broken.endpoint).update(p256dh=_not_a_point())

    assert remind(session_for(patient, clock.at + timedelta(hours=24))) == 1

    assert [p.endpoint for p in push_service.received] == [working.endpoint]
    assert PushSubscription.objects.get(endpoint=broken.endpoint).failures == 1
    assert not Delivery.objects.filter(status="sending").exists()


def test_a_browser_subscribed_again_by_another_person_becomes_theirs(clock, push_service):
    first, second = patient_in(), patient_in()
    browser = subscribe(first, push_service)

    add_device(
        user=second,
        endpoint=browser.endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth,
        expires_at=None,
    )

    assert list(PushSubscription.objects.values_list("user", flat=True)) == [second.pk]


def test_a_person_keeps_at_most_ten_devices_the_newest(clock, push_service):
    patient = patient_in()
    browsers = []
    for _ in range(MAX_DEVICES + 3):
        clock.at += timedelta(minutes=1)
        browsers.append(subscribe(patient, push_service))

    kept = set(PushSubscription.objects.filter(user=patient).values_list("endpoint", flat=True))
    assert len(kept) == MAX_DEVICES
    assert kept == {browser.endpoint for browser in browsers[-MAX_DEVICES:]}
