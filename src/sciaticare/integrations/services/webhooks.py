"""Webhooks out (docs/integrations.md, "Webhooks"): a clinic admin's endpoints, one delivery
per event and endpoint, and each attempt at sending it, signed (signing.py) and retried on a
fixed backoff by the task worker (tasks_webhooks.py).

An endpoint's address is checked when it is saved and again before every attempt (addresses.py):
only public https:// servers, unless INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES (tests, the demo).
Redirects are not followed (a 3xx is a failed attempt), an answer is read no further than its
first characters, and an attempt gives up after TIMEOUT_SECONDS.
"""

from __future__ import annotations

import http.client
import json
import ssl
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import Conflict, Invalid
from sciaticare.core.names import has_hidden_characters
from sciaticare.core.sql import columns, instances, table
from sciaticare.directory.models import Clinic
from sciaticare.integrations import addresses, sealed, signing
from sciaticare.integrations.models.webhooks import (
    PING,
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

#: After the first attempt fails, the next ones wait this long each; after the last, it failed.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT_SECONDS = 10
#: Characters of a receiver's answer kept in the log, and bytes read to find them.
SNIPPET_CHARS = 500
READ_BYTES = 4 * SNIPPET_CHARS
MAX_ENDPOINTS = 20
DESCRIPTION_MAX = 200
SECRET_PURPOSE = "sciaticare webhook endpoint secret"  # noqa: S105 - a HKDF label, not a secret
USER_AGENT = "Sciaticare-Webhooks/1"


# --- Endpoints ------------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = url.strip()
    why = addresses.refusal(url, allow_private=settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES)
    if why is not None:
        raise Invalid("url", why, [("url", why)])
    return url


def _clean_events(events: Sequence[str]) -> list[str]:
    known = set(WebhookEvent.values)
    unknown = [event for event in events if event not in known]
    if unknown or not events:
        message = (
            gettext("Unknown events: %(events)s.") % {"events": ", ".join(unknown)[:200]}
            if unknown
            else gettext("Choose at least one event.")
        )
        raise Invalid("events", message, [("events", message)])
    # In the order of WebhookEvent, each once.
    return [event for event in WebhookEvent.values if event in set(events)]


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX or has_hidden_characters(description):
        message = gettext("At most %(count)s characters, on one line.") % {"count": DESCRIPTION_MAX}
        raise Invalid("description", message, [("description", message)])
    return description


def _seal(secret: str) -> str:
    return sealed.seal(settings.INTEGRATIONS_SEALING_KEYS, SECRET_PURPOSE, secret)


def secret_of(endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret, unsealed (for signing only: never shown again)."""
    return sealed.open_sealed(
        settings.INTEGRATIONS_SEALING_KEYS, SECRET_PURPOSE, endpoint.sealed_secret
    )


def register_endpoint(
    *,
    clinic: Clinic,
    url: str,
    events: Sequence[str],
    description: str = "",
    by: User,
    now: datetime | None = None,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the clinic's, and its secret: shown to the admin once, from here."""
    now = now or timezone.now()
    url, events = _clean_url(url), _clean_events(events)
    description = _clean_description(description)
    secret = signing.new_secret()
    with transaction.atomic():
        # The clinic's row, locked, counts the endpoints one at a time.
        Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
        if WebhookEndpoint.objects.filter(clinic=clinic).count() >= MAX_ENDPOINTS:
            raise Conflict(
                "too_many_webhooks",
                gettext("A clinic has at most %(count)s webhook endpoints.")
                % {"count": MAX_ENDPOINTS},
            )
        endpoint = WebhookEndpoint.objects.create(
            clinic=clinic,
            url=url,
            events=events,
            description=description,
            sealed_secret=_seal(secret),
            created_at=now,
            created_by=by,
            secret_rolled_at=now,
        )
        record_event(actor=by, action="webhook.add", patient=None, obj=endpoint)
    return endpoint, secret


def change_endpoint(
    *,
    endpoint: WebhookEndpoint,
    by: User,
    url: str | None = None,
    events: Sequence[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change the fields given (None: kept)."""
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = _clean_description(description)
    if enabled is not None:
        endpoint.enabled = enabled
    with transaction.atomic():
        endpoint.save(update_fields=["url", "events", "description", "enabled"])
        record_event(actor=by, action="webhook.change", patient=None, obj=endpoint)
    return endpoint


def roll_secret(*, endpoint: WebhookEndpoint, by: User, now: datetime | None = None) -> str:
    """A new secret for the endpoint (the old one stops at once); returned to be shown once."""
    secret = signing.new_secret()
    endpoint.sealed_secret, endpoint.secret_rolled_at = _seal(secret), now or timezone.now()
    with transaction.atomic():
        endpoint.save(update_fields=["sealed_secret", "secret_rolled_at"])
        record_event(actor=by, action="webhook.secret", patient=None, obj=endpoint)
    return secret


def remove_endpoint(*, endpoint: WebhookEndpoint, by: User) -> None:
    """Delete the endpoint with its delivery log (to keep the log, disable it instead)."""
    with transaction.atomic():
        record_event(actor=by, action="webhook.remove", patient=None, obj=endpoint)
        endpoint.delete()


# --- Events ---------------------------------------------------------------------------------


def _body(
    event: str, event_id: uuid.UUID, clinic_id: int, data: dict[str, Any], now: datetime
) -> str:
    created = now.astimezone(UTC).isoformat().replace("+00:00", "Z")
    document = {"id": str(event_id), "type": event, "created": created, "clinic": clinic_id}
    return json.dumps({**document, "data": data}, separators=(",", ":"), sort_keys=False)


# Written out: every booking, cancellation and signature asks this after it commits, and most
# clinics have no endpoint; compiling the ORM's query took longer than the answer.
_ENABLED_SQL = f"""
SELECT {columns(WebhookEndpoint, "e")} FROM {table(WebhookEndpoint)} e
 WHERE e.clinic_id = %s AND e.enabled
"""  # noqa: S608 - table and column names from the model; the value goes as a parameter


def announce(
    *, event: str, clinic_id: int, data: dict[str, Any], now: datetime | None = None
) -> list[int]:
    """One event, one delivery for each of the clinic's enabled endpoints that asked for it;
    returns their ids, due now (the caller queues them)."""
    now = now or timezone.now()
    wanting = [
        endpoint
        for (endpoint,) in cast(
            list[tuple[WebhookEndpoint]], instances(_ENABLED_SQL, [clinic_id], (WebhookEndpoint,))
        )
        if event in endpoint.events
    ]
    if not wanting:
        return []
    event_id = uuid.uuid4()
    body = _body(event, event_id, clinic_id, data, now)
    with transaction.atomic():
        made = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=event,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in wanting
        )
    return [delivery.pk for delivery in made]


def ping(*, endpoint: WebhookEndpoint, now: datetime | None = None) -> WebhookDelivery:
    """A test event for one endpoint, whatever it subscribed to; due now."""
    now = now or timezone.now()
    event_id = uuid.uuid4()
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event_type=PING,
        body=_body(PING, event_id, endpoint.clinic_id, {"endpoint": endpoint.pk}, now),
        next_attempt_at=now,
        created_at=now,
    )


#: A resend waits for the one before it (or this long, should its task be lost); an endpoint
#: has at most RESENDS_PER_ENDPOINT waiting: each attempt can hold the one task worker for
#: TIMEOUT_SECONDS, so resends must not crowd out everyone's reminders and payments.
RESEND_WAIT = timedelta(minutes=1)
RESENDS_PER_ENDPOINT = 5


def queue_resend(delivery: WebhookDelivery, now: datetime | None = None) -> None:
    """Mark a delivery as to be sent again by hand; Conflict when its endpoint is disabled,
    when a resend of it is still waiting, or when its endpoint has too many waiting."""
    now = now or timezone.now()
    if not delivery.endpoint.enabled:
        raise Conflict(
            "webhook_disabled", gettext("This address is disabled: enable it to send to it.")
        )
    with transaction.atomic():
        WebhookEndpoint.objects.select_for_update().filter(pk=delivery.endpoint_id).first()
        waiting = WebhookDelivery.objects.filter(
            endpoint_id=delivery.endpoint_id, resend_queued_at__gt=now - RESEND_WAIT
        )
        if waiting.filter(pk=delivery.pk).exists():
            raise Conflict(
                "resend_waiting",
                gettext(
                    "This delivery is already being sent again: its attempt will appear in the log."
                ),
            )
        if waiting.count() >= RESENDS_PER_ENDPOINT:
            raise Conflict(
                "resends_waiting",
                gettext("Several resends to this endpoint are waiting: try again in a minute."),
            )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(resend_queued_at=now)


# --- Sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """How one request went: the HTTP status, or why there was none."""

    status: int | None
    error: str
    snippet: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.WEBHOOK_CA_FILE:
        context.load_verify_locations(cafile=settings.WEBHOOK_CA_FILE)
    return context


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` once: no redirects followed, TIMEOUT_SECONDS at most, the answer
    read no further than READ_BYTES."""
    started = time.monotonic()
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port
    connection: http.client.HTTPConnection = (
        http.client.HTTPSConnection(host, port, timeout=TIMEOUT_SECONDS, context=_tls())
        if parts.scheme == "https"
        else http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
    )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    status, error, snippet = None, "", ""
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        snippet = response.read(READ_BYTES).decode("utf-8", errors="replace")[:SNIPPET_CHARS]
        if 300 <= status < 400:
            error = gettext("Redirects are not followed: give the final address.")
    except TimeoutError:
        error = gettext("No answer within %(seconds)s seconds.") % {"seconds": TIMEOUT_SECONDS}
    except ssl.SSLError as wrong:
        error = (gettext("Secure connection failed: %(why)s") % {"why": wrong})[:300]
    except (OSError, http.client.HTTPException, ValueError) as wrong:
        # ValueError: an address http.client cannot put on the wire (saved before it was refused).
        error = (gettext("Could not connect: %(why)s") % {"why": wrong or type(wrong).__name__})[
            :300
        ]
    finally:
        connection.close()
    return Answer(status, error, snippet, int((time.monotonic() - started) * 1000))


def headers_for(delivery: WebhookDelivery, secret: str, now: datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.header(secret, int(now.timestamp()), delivery.body.encode()),
        "Sciaticare-Event-Id": str(delivery.event_id),
        "Sciaticare-Event-Type": delivery.event_type,
    }


@dataclass(frozen=True)
class Attempted:
    """What an attempt did to its delivery: delivered, or when to try again (None: no more)."""

    delivered: bool
    retry_at: datetime | None


def _claim(delivery_id: int, now: datetime, manual: bool) -> WebhookDelivery | None:
    """The delivery, if it is to be sent now; a scheduled attempt moves its next time past
    this attempt's end first, so that a second worker holding the same task sends nothing."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or not delivery.endpoint.enabled:
            return None
        if not manual:
            due = delivery.next_attempt_at
            if delivery.status != DeliveryStatus.PENDING or due is None or due > now:
                return None  # delivered, given up, resent by hand, or not yet due
            delivery.next_attempt_at = now + timedelta(seconds=3 * TIMEOUT_SECONDS)
            delivery.save(update_fields=["next_attempt_at"])
        return delivery


def attempt(
    *, delivery_id: int, manual: bool = False, now: datetime | None = None
) -> Attempted | None:
    """Send a delivery once, and log it. A scheduled attempt (`manual=False`) runs only while
    the delivery is pending and due, and on failure sets the next time by RETRY_DELAYS (or gives
    up after MAX_ATTEMPTS); a manual one (resend) runs whatever the state, and changes the
    schedule only by succeeding. None when nothing was sent. Must run outside a transaction
    (the request is made between two of ours)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now, manual)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    why = addresses.refusal(
        endpoint.url, allow_private=settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES
    )
    if why is not None:
        answer = Answer(None, why[:300], "", 0)
    else:
        answer = post(
            endpoint.url, delivery.body.encode(), headers_for(delivery, secret_of(endpoint), now)
        )
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=answer.status,
            error=answer.error,
            duration_ms=answer.duration_ms,
            response_snippet=answer.snippet,
            manual=manual,
        )
        delivery.attempts += 1
        if manual:
            delivery.resend_queued_at = None
        retry_at = None
        if answer.succeeded:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
            delivery.next_attempt_at = None
        elif not manual:
            scheduled = delivery.attempt_log.filter(manual=False).count()
            if scheduled >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            else:
                retry_at = now + RETRY_DELAYS[scheduled - 1]
                delivery.next_attempt_at = retry_at
        delivery.save(
            update_fields=[
                "status",
                "delivered_at",
                "next_attempt_at",
                "attempts",
                "resend_queued_at",
            ]
        )
    return Attempted(answer.succeeded, retry_at)


def due_deliveries(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come, oldest first (`manage.py retry_webhooks`: a
    task lost with its worker, or a task backend that cannot wait)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__enabled=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
