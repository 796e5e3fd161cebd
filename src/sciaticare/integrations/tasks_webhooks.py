"""Webhooks' background work, through Django's Tasks API: each delivery is sent by a task,
which on failure queues itself again at the backoff's next time (services/webhooks.py,
RETRY_DELAYS) when the task backend can wait (the database backend can). `manage.py
retry_webhooks` sends, or queues, whatever is due: for a backend that cannot wait, or a task
lost with its worker.

The hooks below are installed in the lower apps' after-commit lists by `connect()`
(IntegrationsConfig.ready): each turns an event into deliveries and queues them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.tasks import task
from django.utils import timezone

from sciaticare.billing.services import payments
from sciaticare.integrations.models.webhooks import WebhookDelivery, WebhookEvent
from sciaticare.integrations.selectors import webhooks as webhook_selectors
from sciaticare.integrations.services import webhooks
from sciaticare.records import services as records
from sciaticare.scheduling.services import attendance, booking, changes


@task
def deliver_webhook(delivery_id: int) -> bool:
    """One scheduled attempt at a delivery; True when it was delivered. A failure queues the
    next attempt at its time (a backend that cannot wait leaves it to `retry_webhooks`)."""
    outcome = webhooks.attempt(delivery_id=delivery_id)
    if outcome is None:
        return False
    if outcome.retry_at is not None and deliver_webhook.get_backend().supports_defer:
        deliver_webhook.using(run_after=outcome.retry_at).enqueue(delivery_id)
    return outcome.delivered


@task
def resend_webhook(delivery_id: int) -> bool:
    """An admin's resend: one attempt now, whatever the delivery's state."""
    outcome = webhooks.attempt(delivery_id=delivery_id, manual=True)
    return outcome is not None and outcome.delivered


def send_later(delivery: WebhookDelivery | int) -> None:
    deliver_webhook.enqueue(delivery if isinstance(delivery, int) else delivery.pk)


def resend_later(delivery: WebhookDelivery) -> None:
    resend_webhook.enqueue(delivery.pk)


def send_due(*, now: datetime | None = None, enqueue: bool = False) -> int:
    """Send (or queue) every delivery that is due; returns how many."""
    due = webhooks.due_deliveries(now or timezone.now())
    for delivery_id in due:
        if enqueue:
            deliver_webhook.enqueue(delivery_id)
        else:
            deliver_webhook.call(delivery_id)
    return len(due)


# --- Hooks: called after the lower apps' transactions commit ----------------------------------


def _announce(event: WebhookEvent, found: tuple[int, dict[str, Any]] | None) -> None:
    if found is None:
        return
    clinic_id, data = found
    for delivery_id in webhooks.announce(event=event.value, clinic_id=clinic_id, data=data):
        send_later(delivery_id)


def _on_appointment(event: WebhookEvent) -> Callable[[int], None]:
    def hook(appointment_id: int) -> None:
        _announce(event, webhook_selectors.appointment_event(appointment_id))

    hook.__name__ = hook.__qualname__ = f"webhook_{event.value.replace('.', '_')}"
    return hook


appointment_booked = _on_appointment(WebhookEvent.APPOINTMENT_BOOKED)
appointment_cancelled = _on_appointment(WebhookEvent.APPOINTMENT_CANCELLED)
appointment_rescheduled = _on_appointment(WebhookEvent.APPOINTMENT_RESCHEDULED)
appointment_completed = _on_appointment(WebhookEvent.APPOINTMENT_COMPLETED)


def note_signed(note_id: int) -> None:
    _announce(WebhookEvent.NOTE_SIGNED, webhook_selectors.note_event(note_id))


def invoice_paid(invoice_id: int) -> None:
    _announce(
        WebhookEvent.INVOICE_PAID, webhook_selectors.invoice_event(invoice_id, timezone.now())
    )


def connect() -> None:
    """Install the hooks (from IntegrationsConfig.ready; idempotent)."""
    for hooks, hook in (
        (booking.on_booked, appointment_booked),
        (changes.on_cancelled, appointment_cancelled),
        (changes.on_rescheduled, appointment_rescheduled),
        (attendance.on_completed, appointment_completed),
        (records.on_signed, note_signed),
        (payments.on_invoice_paid, invoice_paid),
    ):
        if hook not in hooks:
            hooks.append(hook)
