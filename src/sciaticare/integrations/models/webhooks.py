"""Webhooks out: a clinic's endpoints, each event's delivery to each of them, and every attempt
(docs/integrations.md, "Webhooks")."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WebhookEvent(models.TextChoices):
    """What an endpoint may hear of: a session's life, its note signed, an invoice paid."""

    APPOINTMENT_BOOKED = "appointment.booked", _("A session is booked")
    APPOINTMENT_CANCELLED = "appointment.cancelled", _("A session is cancelled")
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled", _("A session is moved")
    APPOINTMENT_COMPLETED = "appointment.completed", _("A session is marked attended")
    NOTE_SIGNED = "note.signed", _("A session note is signed")
    INVOICE_PAID = "invoice.paid", _("An invoice is paid in full")


#: The test event an admin sends from the page; no endpoint subscribes to it.
PING = "ping"


class WebhookEndpoint(models.Model):
    """A clinic's own system that hears of events: an address, the events it wants, and the
    secret its requests are signed with (sealed: integrations/sealed.py)."""

    clinic = models.ForeignKey(
        "directory.Clinic", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.CharField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    sealed_secret = models.TextField()
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    secret_rolled_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery", "Waiting")
    DELIVERED = "delivered", pgettext_lazy("webhook delivery", "Delivered")
    FAILED = "failed", pgettext_lazy("webhook delivery", "Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body exactly as signed and sent (ids and times only),
    and where its sending stands."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event_type = models.CharField(max_length=40)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the worker may try next (pending only): the backoff schedule, or now.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    # When an admin last asked to send it again, until that attempt runs: one resend at a time.
    resend_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="%(app_label)s_%(class)s_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="%(app_label)s_%(class)s_delivered_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="integrations_webhook_due")
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One try at sending a delivery: when, how it went, and the first characters of the
    answer (never more: a receiver's answer is not ours to keep)."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_snippet = models.CharField(max_length=500, blank=True)
    # Sent by an admin's "resend", not by the schedule.
    manual = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
