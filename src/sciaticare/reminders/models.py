"""How each person wants to be reminded, the devices they get notifications on, the numbers
that replied STOP, and a record of every reminder sent (docs/architecture.md, "Reminders")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sciaticare.accounts.phones import E164_LENGTH


class Kind(models.TextChoices):
    """What a reminder is about; each has its own channels."""

    APPOINTMENT = "appointment", _("Appointment reminders")
    WAITLIST_OFFER = "waitlist_offer", _("Waitlist offers")
    DIARY_NUDGE = "diary_nudge", _("Evening pain-diary nudges")
    EXERCISE = "exercise", _("Exercise reminders")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    PUSH = "push", _("Notification")


class ReminderSettings(models.Model):
    """A person's quiet hours, on their own clock: reminders wait (or are dropped) between
    `quiet_start` and `quiet_end` (quiet.py says which; equal times: no quiet hours). No row:
    the site's default (settings.REMINDER_QUIET_HOURS)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_settings"
    )
    quiet_start = models.TimeField()
    quiet_end = models.TimeField()

    def __str__(self) -> str:
        return f"quiet {self.quiet_start:%H:%M}–{self.quiet_end:%H:%M} for {self.user_id}"


class ChannelChoice(models.Model):
    """The channels a person chose for one kind of reminder. No row: email only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_channels"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    push = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="%(app_label)s_%(class)s_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"

    def chosen(self) -> frozenset[Channel]:
        on = {Channel.EMAIL: self.email, Channel.SMS: self.sms, Channel.PUSH: self.push}
        return frozenset(channel for channel, wanted in on.items() if wanted)


#: The longest push endpoint kept: the services' URLs are a few hundred characters.
ENDPOINT_LENGTH = 1000


class PushSubscription(models.Model):
    """One browser's Web Push subscription (a device that gets notifications): the push
    service's URL and the keys the message is encrypted to. Deleted when the push service says
    it is gone (404, 410), when its expiry passes, or after `MAX_PUSH_FAILURES` failures in a
    row."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=ENDPOINT_LENGTH, unique=True)
    p256dh = models.CharField(max_length=100)  # the browser's public key, base64url
    auth = models.CharField(max_length=50)  # the shared authentication secret, base64url
    # The subscription's `expirationTime`, when the browser gave one.
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)  # in a row

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"push device {self.pk} of {self.user_id}"


MAX_PUSH_FAILURES = 5


class SmsOptOut(models.Model):
    """A number that replied STOP: no text goes to it until it replies START."""

    phone = models.CharField(max_length=E164_LENGTH, unique=True)
    opted_out_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"opted out at {self.opted_out_at:%Y-%m-%d}"


class DeliveryStatus(models.TextChoices):
    SENDING = "sending", "sending"  # claimed; the provider has not answered yet
    SENT = "sent", "sent"
    FAILED = "failed", "failed"  # the provider refused: nothing went out, a retry may send


#: How often a refused send is tried again by a retried task before it is left failed.
MAX_ATTEMPTS = 3


class Delivery(models.Model):
    """One reminder sent (or being sent) on one channel. Its key — kind, what it is about, the
    occasion and the channel — is unique, so a task that runs twice finds the row and sends
    nothing more. The message itself is not kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    about = models.CharField(max_length=60)  # "appointment:42", "offer:7", "diary:3"
    occasion = models.CharField(max_length=40)  # the session's start, the diary's day, …
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_ref = models.CharField(max_length=64, blank=True)  # e.g. Twilio's message SID
    error = models.CharField(max_length=100, blank=True)  # the provider's code, never the text

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "about", "occasion", "channel"],
                name="%(app_label)s_%(class)s_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.about} {self.occasion} by {self.channel}: {self.status}"
