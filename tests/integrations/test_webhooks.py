"""Webhooks out, end to end against a local HTTPS receiver (tests/webhook_receiver.py): each
event is delivered signed, with ids and times only, to the clinic's own endpoints; failures
are retried on the backoff schedule; an admin resends by hand; private addresses are refused
unless allowed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sciaticare.audit.models import AuditEvent
from sciaticare.core.errors import Invalid
from sciaticare.integrations import signing, tasks_webhooks
from sciaticare.integrations.models.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from sciaticare.integrations.services import webhooks
from sciaticare.records.services import sign_note
from sciaticare.scheduling.services import booking, changes
from tests.billing.books import UK, books, pay_cash
from tests.factories import ClinicAdminFactory
from tests.scheduling.helpers import at, bookable_patient, place_appointment, working_therapist

pytestmark = pytest.mark.django_db

ALL = [
    "appointment.booked",
    "appointment.cancelled",
    "appointment.rescheduled",
    "appointment.completed",
    "note.signed",
    "invoice.paid",
]
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ENVELOPE = {"id", "type", "created", "clinic", "data"}
APPOINTMENT_DATA = {
    "appointment",
    "patient",
    "therapist",
    "location",
    "service",
    "start",
    "end",
    "status",
    "rescheduled_from",
}


def admin_of(clinic: Any) -> Any:
    admin = ClinicAdminFactory()
    clinic.admins.add(admin)
    return admin


def endpoint_for(clinic: Any, url: str, events: list[str] | None = None) -> tuple[Any, str, Any]:
    admin = admin_of(clinic)
    endpoint, secret = webhooks.register_endpoint(
        clinic=clinic, url=url, events=events or ALL, by=admin
    )
    return endpoint, secret, admin


def signed_events(receiver: Any, secret: str, now: float | None = None) -> list[dict[str, Any]]:
    """The bodies the receiver got, each checked as a receiver checks it."""
    found = []
    for request in receiver.requests:
        header = request.headers["sciaticare-signature"]
        timestamp = int(header.split(",")[0][2:])
        assert signing.verify(secret, header, request.body, now or timestamp)
        event = json.loads(request.body)
        assert request.headers["sciaticare-event-id"] == event["id"]
        assert request.headers["sciaticare-event-type"] == event["type"]
        assert set(event) == ENVELOPE
        found.append(event)
    return found


@pytest.fixture
def therapist() -> Any:
    return working_therapist(first_name="Ada", last_name="Byrne")


def test_a_booking_is_delivered_signed_with_ids_and_times_only(
    webhook_receiver, therapist, django_capture_on_commit_callbacks
):
    profile, _, location = therapist
    endpoint, secret, _ = endpoint_for(location.clinic, webhook_receiver.url)
    patient = bookable_patient(first_name="Zebedee", last_name="Quixote")

    with django_capture_on_commit_callbacks(execute=True):
        appointment = booking.book_appointment(
            patient=patient, therapist_id=profile.pk, start=at(3, 10)
        )

    (event,) = signed_events(webhook_receiver, secret, timezone.now().timestamp())
    assert event["type"] == "appointment.booked"
    assert event["clinic"] == location.clinic_id
    assert set(event["data"]) == APPOINTMENT_DATA
    assert event["data"]["appointment"] == appointment.pk
    assert event["data"]["therapist"] == profile.pk
    assert event["data"]["start"] == appointment.start.astimezone(UTC).isoformat().replace(
        "+00:00", "Z"
    )
    body = webhook_receiver.requests[0].body.decode()
    for private in ("Zebedee", "Quixote", "Ada", "Byrne", patient.email):
        assert private not in body
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert webhook_receiver.requests[0].path == "/hooks"


def test_cancel_and_reschedule_are_delivered(
    webhook_receiver, therapist, django_capture_on_commit_callbacks
):
    profile, _, location = therapist
    _, secret, _ = endpoint_for(location.clinic, webhook_receiver.url)
    patient = bookable_patient()
    first = booking.book_appointment(patient=patient, therapist_id=profile.pk, start=at(3, 10))
    second = booking.book_appointment(patient=patient, therapist_id=profile.pk, start=at(4, 10))

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_appointment(user=patient, appointment_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        moved = changes.reschedule_appointment(
            user=patient, appointment_id=second.pk, new_start=at(5, 11)
        )

    cancelled, rescheduled = signed_events(webhook_receiver, secret)
    assert (cancelled["type"], cancelled["data"]["appointment"]) == (
        "appointment.cancelled",
        first.pk,
    )
    assert cancelled["data"]["status"] == "cancelled"
    assert rescheduled["type"] == "appointment.rescheduled"
    assert rescheduled["data"]["appointment"] == moved.pk
    assert rescheduled["data"]["rescheduled_from"] == second.pk


def test_signing_a_note_delivers_note_signed_and_appointment_completed_without_its_words(
    webhook_receiver, therapist, django_capture_on_commit_callbacks
):
    profile, session, location = therapist
    _, secret, _ = endpoint_for(location.clinic, webhook_receiver.url)
    patient = bookable_patient()
    past = place_appointment(
        patient=patient,
        therapist=profile,
        session=session,
        location=location,
        start=timezone.now() - timedelta(hours=3),
    )

    with django_capture_on_commit_callbacks(execute=True):
        note = sign_note(therapist_user=profile.user, appointment_id=past.pk)

    events = {event["type"]: event for event in signed_events(webhook_receiver, secret)}
    assert set(events) == {"appointment.completed", "note.signed"}
    assert events["note.signed"]["data"] == {
        "note": note.pk,
        "appointment": past.pk,
        "patient": patient.pk,
        "therapist": profile.pk,
        "signed_at": note.signed_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    assert events["appointment.completed"]["data"]["status"] == "completed"


def test_an_invoice_paid_in_full_is_delivered_once(
    webhook_receiver, django_capture_on_commit_callbacks
):
    b = books(UK, price="90.00")
    _, secret, _ = endpoint_for(b.clinic, webhook_receiver.url, ["invoice.paid"])
    total = b.invoice.total  # 108.00 with 20 % tax

    with django_capture_on_commit_callbacks(execute=True):
        pay_cash(b, "50.00")
    assert webhook_receiver.requests == []  # still owed
    with django_capture_on_commit_callbacks(execute=True):
        pay_cash(b, str(total - 50))

    (event,) = signed_events(webhook_receiver, secret)
    assert event["type"] == "invoice.paid"
    assert event["data"]["invoice"] == b.invoice.pk
    assert event["data"]["number"] == b.invoice.number
    assert (event["data"]["amount"], event["data"]["currency"]) == ("108.00", "GBP")
    assert "Sciatica" not in webhook_receiver.requests[0].body.decode()  # no invoice lines


def test_only_the_clinics_own_endpoints_that_asked_for_the_event_hear_of_it(
    webhook_receiver, therapist, django_capture_on_commit_callbacks
):
    profile, _, location = therapist
    _, other_location = working_therapist()[1:]
    _elsewhere, _, _ = endpoint_for(other_location.clinic, webhook_receiver.url)
    _not_asked, _, _ = endpoint_for(location.clinic, webhook_receiver.url, ["invoice.paid"])
    disabled, _, admin = endpoint_for(location.clinic, webhook_receiver.url)
    webhooks.change_endpoint(endpoint=disabled, by=admin, enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        booking.book_appointment(
            patient=bookable_patient(), therapist_id=profile.pk, start=at(3, 10)
        )

    assert webhook_receiver.requests == []
    assert WebhookDelivery.objects.count() == 0


# --- Retries ----------------------------------------------------------------------------------


class Clock:
    at = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.at)
    return frozen


def test_a_failed_delivery_is_queued_again_after_a_minute_and_then_delivered(
    webhook_receiver, clock, settings
):
    settings.TASKS = DATABASE
    clinic = working_therapist()[2].clinic
    _endpoint, secret, _ = endpoint_for(clinic, webhook_receiver.url)
    webhook_receiver.answers = [500]
    (delivery_id,) = webhooks.announce(
        event="appointment.booked", clinic_id=clinic.pk, data={"appointment": 1}
    )
    tasks_webhooks.send_later(delivery_id)
    (first,) = DBTaskResult.objects.filter(task_path__endswith="deliver_webhook")

    assert tasks_webhooks.deliver_webhook.call(*first.args_kwargs["args"]) is False

    again = DBTaskResult.objects.exclude(pk=first.pk).get(task_path__endswith="deliver_webhook")
    assert again.run_after == clock.at + timedelta(minutes=1)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    failed = WebhookAttempt.objects.get(delivery=delivery)
    assert failed.status_code == 500
    assert len(failed.response_snippet) == 500  # the answer cut at 500 characters

    # Too early, the task sends nothing (a duplicate or early run).
    assert tasks_webhooks.deliver_webhook.call(delivery_id) is False
    assert len(webhook_receiver.requests) == 1

    clock.at = again.run_after
    assert tasks_webhooks.deliver_webhook.call(*again.args_kwargs["args"]) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    first_event, second_event = signed_events(webhook_receiver, secret)
    assert first_event == second_event  # the same event, the same id


def test_the_backoff_schedule_then_failed(webhook_receiver, clock):
    clinic = working_therapist()[2].clinic
    endpoint_for(clinic, webhook_receiver.url)
    webhook_receiver.answers = [503] * 6
    (delivery_id,) = webhooks.announce(
        event="appointment.booked", clinic_id=clinic.pk, data={"appointment": 1}
    )
    waits = []
    for _ in range(6):
        outcome = webhooks.attempt(delivery_id=delivery_id)
        assert outcome is not None
        assert not outcome.delivered
        if outcome.retry_at:
            waits.append(outcome.retry_at - clock.at)
            clock.at = outcome.retry_at

    assert waits == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=2),
        timedelta(hours=12),
    ]
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        DeliveryStatus.FAILED,
        6,
        None,
    )
    assert webhooks.attempt(delivery_id=delivery_id) is None  # given up: nothing more
    assert tasks_webhooks.send_due() == 0


def test_the_retry_command_sends_what_is_due(webhook_receiver, clock):
    clinic = working_therapist()[2].clinic
    endpoint_for(clinic, webhook_receiver.url)
    (delivery_id,) = webhooks.announce(
        event="appointment.booked", clinic_id=clinic.pk, data={"appointment": 1}
    )
    from django.core.management import call_command

    call_command("retry_webhooks")

    assert WebhookDelivery.objects.get(pk=delivery_id).status == DeliveryStatus.DELIVERED
    assert len(webhook_receiver.requests) == 1


# --- Resend, addresses ------------------------------------------------------------------------


def test_an_admin_resends_a_failed_delivery_from_the_log(webhook_receiver, clock, client):
    clinic = working_therapist()[2].clinic
    endpoint, secret, admin = endpoint_for(clinic, webhook_receiver.url)
    webhook_receiver.answers = [500]
    (delivery_id,) = webhooks.announce(
        event="appointment.booked", clinic_id=clinic.pk, data={"appointment": 1}
    )
    webhooks.attempt(delivery_id=delivery_id)
    client.force_login(admin)
    url = reverse("integrations:webhook_resend", args=[clinic.pk, endpoint.pk, delivery_id])

    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [a.manual for a in delivery.attempt_log.order_by("pk")] == [False, True]
    assert len(signed_events(webhook_receiver, secret)) == 2
    page = client.get(reverse("integrations:webhook", args=[clinic.pk, endpoint.pk]))
    assert "HTTP 500" in page.content.decode()
    assert "sent again by hand" in page.content.decode()


def test_a_resend_waits_for_the_one_before_and_an_endpoint_has_few_waiting(
    webhook_receiver, clock, client, settings
):
    """Each manual attempt may hold the one task worker for the whole timeout: an admin
    pressing resend forty times must not queue forty (attack finding 7)."""
    settings.TASKS = DATABASE
    clinic = working_therapist()[2].clinic
    endpoint, _secret, admin = endpoint_for(clinic, webhook_receiver.url)
    ids = [
        webhooks.announce(event="appointment.booked", clinic_id=clinic.pk, data={"appointment": n})[
            0
        ]
        for n in range(webhooks.RESENDS_PER_ENDPOINT + 1)
    ]
    client.force_login(admin)
    base = f"/api/v1/clinics/{clinic.pk}/webhooks/{endpoint.pk}/deliveries"

    assert client.post(f"{base}/{ids[0]}/resend").status_code == 202
    again = client.post(f"{base}/{ids[0]}/resend")
    assert again.status_code == 409
    assert again.json()["code"] == "resend_waiting"
    for delivery_id in ids[1:-1]:
        assert client.post(f"{base}/{delivery_id}/resend").status_code == 202
    crowded = client.post(f"{base}/{ids[-1]}/resend")
    assert crowded.status_code == 409
    assert crowded.json()["code"] == "resends_waiting"

    webhooks.attempt(delivery_id=ids[0], manual=True)  # the worker runs the first resend
    assert client.post(f"{base}/{ids[0]}/resend").status_code == 202
    clock.at += webhooks.RESEND_WAIT + timedelta(seconds=1)  # a lost task waits no longer
    assert client.post(f"{base}/{ids[-1]}/resend").status_code == 202


def test_an_address_the_connection_cannot_send_is_logged_as_a_failed_attempt(webhook_receiver):
    """An address saved before the check refused it (attack finding 5): the attempt is logged
    with why, and the delivery goes on to its next try, rather than staying pending for ever."""
    clinic = working_therapist()[2].clinic
    endpoint, _secret, _admin = endpoint_for(clinic, webhook_receiver.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=webhook_receiver.url + "é")
    (delivery_id,) = webhooks.announce(
        event="appointment.booked", clinic_id=clinic.pk, data={"appointment": 1}
    )

    outcome = webhooks.attempt(delivery_id=delivery_id)

    assert outcome is not None
    assert not outcome.delivered
    assert outcome.retry_at is not None
    (logged,) = WebhookAttempt.objects.filter(delivery_id=delivery_id)
    assert logged.status_code is None
    assert logged.error
    # and the connection itself answers such an address with why, never an exception
    answer = webhooks.post(webhook_receiver.url + "é", b"{}", {})
    assert answer.status is None
    assert "Could not connect" in answer.error


def test_private_addresses_are_refused_unless_allowed(webhook_receiver, settings):
    clinic = working_therapist()[2].clinic
    _endpoint, _, admin = endpoint_for(clinic, webhook_receiver.url)  # allowed in tests
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False

    for url in (webhook_receiver.url, "https://127.0.0.1/hooks", "https://10.0.0.5/hooks"):
        with pytest.raises(Invalid) as refused:
            webhooks.register_endpoint(clinic=clinic, url=url, events=ALL, by=admin)
        assert refused.value.errors[0][0] == "url"
    (delivery_id,) = webhooks.announce(event="note.signed", clinic_id=clinic.pk, data={})
    webhooks.attempt(delivery_id=delivery_id)

    # Checked again before sending: the saved loopback address is not called.
    assert webhook_receiver.requests == []
    attempt = WebhookAttempt.objects.get(delivery_id=delivery_id)
    assert attempt.status_code is None
    assert "private or local" in attempt.error


def test_plain_http_is_refused_when_private_addresses_are_not_allowed(settings):
    clinic = working_therapist()[2].clinic
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False

    with pytest.raises(Invalid):
        webhooks.register_endpoint(
            clinic=clinic, url="http://example.org/hooks", events=ALL, by=admin_of(clinic)
        )


def test_a_redirect_is_not_followed(webhook_receiver):
    clinic = working_therapist()[2].clinic
    endpoint_for(clinic, webhook_receiver.url)
    webhook_receiver.answers = [302]
    (delivery_id,) = webhooks.announce(event="note.signed", clinic_id=clinic.pk, data={})

    outcome = webhooks.attempt(delivery_id=delivery_id)

    assert outcome is not None
    assert not outcome.delivered
    assert len(webhook_receiver.requests) == 1
    assert "Redirects are not followed" in WebhookAttempt.objects.get().error


def test_an_untrusted_certificate_fails_the_attempt(webhook_receiver, settings):
    clinic = working_therapist()[2].clinic
    endpoint_for(clinic, webhook_receiver.url)
    settings.WEBHOOK_CA_FILE = ""
    (delivery_id,) = webhooks.announce(event="note.signed", clinic_id=clinic.pk, data={})

    webhooks.attempt(delivery_id=delivery_id)

    assert webhook_receiver.requests == []
    assert "Secure connection failed" in WebhookAttempt.objects.get().error


# --- Pages and API ----------------------------------------------------------------------------


def test_the_secret_is_shown_once_when_an_endpoint_is_added_and_kept_sealed(client):
    clinic = working_therapist()[2].clinic
    admin = admin_of(clinic)
    client.force_login(admin)
    url = reverse("integrations:webhooks", args=[clinic.pk])

    added = client.post(
        url,
        {"url": "https://hooks.example.org/in", "events": ["appointment.booked"]},
    )

    assert added.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    secret = webhooks.secret_of(endpoint)
    assert secret.startswith("whsec_")
    assert secret in added.content.decode()
    assert secret not in endpoint.sealed_secret
    assert secret not in client.get(url).content.decode()
    detail = client.get(reverse("integrations:webhook", args=[clinic.pk, endpoint.pk]))
    assert secret not in detail.content.decode()
    assert AuditEvent.objects.filter(action="webhook.add", actor=admin).exists()

    rolled = client.post(reverse("integrations:webhook_roll_secret", args=[clinic.pk, endpoint.pk]))
    endpoint.refresh_from_db()
    assert webhooks.secret_of(endpoint) != secret
    assert webhooks.secret_of(endpoint) in rolled.content.decode()


def test_the_page_says_what_is_wrong_with_an_address(client, settings):
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False
    clinic = working_therapist()[2].clinic
    client.force_login(admin_of(clinic))

    response = client.post(
        reverse("integrations:webhooks", args=[clinic.pk]),
        {"url": "http://hooks.example.org/in", "events": ["appointment.booked"]},
    )

    assert response.status_code == 422
    assert "must start with https://" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_api_registers_lists_changes_and_deletes_endpoints(webhook_receiver, client):
    clinic = working_therapist()[2].clinic
    admin = admin_of(clinic)
    client.force_login(admin)
    base = f"/api/v1/clinics/{clinic.pk}/webhooks"

    made = client.post(
        base,
        {"url": webhook_receiver.url, "events": ["note.signed"], "description": "Our desk"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    endpoint_id, secret = made.json()["id"], made.json()["secret"]
    assert secret.startswith("whsec_")

    listed = client.get(base).json()
    assert listed["count"] == 1
    assert listed["items"][0]["secret"] is None

    bad = client.post(
        base, {"url": webhook_receiver.url, "events": ["nope"]}, content_type="application/json"
    )
    assert bad.status_code == 422

    changed = client.patch(
        f"{base}/{endpoint_id}",
        {"events": ["invoice.paid", "note.signed"], "roll_secret": True},
        content_type="application/json",
    ).json()
    assert changed["events"] == ["note.signed", "invoice.paid"]
    assert changed["secret"] not in (None, secret)

    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    delivery = webhooks.ping(endpoint=endpoint)
    resent = client.post(f"{base}/{endpoint_id}/deliveries/{delivery.pk}/resend")
    assert resent.status_code == 202
    assert resent.json()["status"] == "delivered"
    log = client.get(f"{base}/{endpoint_id}/deliveries").json()
    assert log["count"] == 1
    assert log["items"][0]["last_status_code"] == 200
    (ping,) = signed_events(webhook_receiver, changed["secret"])
    assert ping["type"] == "ping"

    assert client.delete(f"{base}/{endpoint_id}").status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert client.get(f"{base}/{endpoint_id}").status_code == 404


# --- What the pages say (issue 18, a newcomer's reading) ---------------------------------------


def test_the_form_says_which_addresses_are_accepted(client):
    clinic = working_therapist()[2].clinic
    client.force_login(admin_of(clinic))
    page = client.get(reverse("integrations:webhooks", args=[clinic.pk])).content.decode()
    assert "server reachable from the internet" in page
    assert "private and local network addresses are refused" in page
    assert 'aria-describedby="id_url_helptext"' in page


def test_the_secret_and_address_pages_say_how_to_check_a_request(client):
    clinic = working_therapist()[2].clinic
    endpoint, _secret, admin = endpoint_for(clinic, "https://hooks.example.org/in")
    client.force_login(admin)
    added = client.post(
        reverse("integrations:webhooks", args=[clinic.pk]),
        {"url": "https://hooks.example.org/other", "events": ["appointment.booked"]},
    ).content.decode()
    detail = client.get(reverse("integrations:webhook", args=[clinic.pk, endpoint.pk]))
    for page in (added, detail.content.decode()):
        assert "integrations guide" not in page
        assert "<code>Sciaticare-Signature: t=…,v1=…</code>" in page
        assert "HMAC-SHA256 of <code>&lt;t&gt;.&lt;raw body&gt;</code>" in page
        assert "constant time" in page
        assert "more than 5 minutes" in page
        assert "Sciaticare-Event-Id" in page


def test_a_new_secret_is_made_only_after_a_warning(client):
    clinic = working_therapist()[2].clinic
    endpoint, secret, admin = endpoint_for(clinic, "https://hooks.example.org/in")
    client.force_login(admin)
    detail = client.get(reverse("integrations:webhook", args=[clinic.pk, endpoint.pk]))
    roll = reverse("integrations:webhook_roll_secret", args=[clinic.pk, endpoint.pk])
    # The endpoint's page links to the question; it holds no form that rolls at once.
    assert f'href="{roll}"' in detail.content.decode()
    assert f'action="{roll}"' not in detail.content.decode()

    asked = client.get(roll)

    assert asked.status_code == 200
    assert "The old secret stops working immediately" in asked.content.decode()
    endpoint.refresh_from_db()
    assert webhooks.secret_of(endpoint) == secret
    rolled = client.post(roll)
    endpoint.refresh_from_db()
    assert webhooks.secret_of(endpoint) != secret
    assert webhooks.secret_of(endpoint) in rolled.content.decode()


def test_the_log_shows_moments_on_the_clinics_clock_with_its_zone(client, clock):
    clinic = working_therapist(time_zone="America/New_York")[2].clinic
    endpoint, _secret, admin = endpoint_for(clinic, "https://hooks.example.org/in")
    clock.at = datetime(2026, 12, 5, 20, 44, tzinfo=UTC)
    webhooks.announce(event="appointment.booked", clinic_id=clinic.pk, data={"appointment": 1})
    client.force_login(admin)

    page = client.get(reverse("integrations:webhook", args=[clinic.pk, endpoint.pk]))

    assert "5 Dec 2026, 15:44 EST" in page.content.decode()
    assert "p.m." not in page.content.decode()


def test_messages_call_it_an_address(client):
    clinic = working_therapist()[2].clinic
    endpoint, _secret, admin = endpoint_for(clinic, "https://hooks.example.org/in")
    webhooks.change_endpoint(endpoint=endpoint, by=admin, enabled=False)
    client.force_login(admin)
    pinged = client.post(
        reverse("integrations:webhook_ping", args=[clinic.pk, endpoint.pk]), follow=True
    )
    assert "This address is disabled" in pinged.content.decode()
    deleted = client.post(
        reverse("integrations:webhook_delete", args=[clinic.pk, endpoint.pk]), follow=True
    )
    assert "The address and its delivery log are deleted." in deleted.content.decode()
