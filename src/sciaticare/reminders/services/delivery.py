"""Sending a reminder: `deliver` is the one entry point (scheduling's session reminder and
waitlist offer, outcomes' diary nudge, exercises' morning reminder).

For each channel the person chose that can reach them (selectors.channels_for), it decides by
their quiet hours what goes now, what waits and what is dropped (quiet.py), renders the message
in the person's language, and sends each channel at most once: a `Delivery` row keyed by kind,
subject, occasion and channel is claimed before the provider is called, so a task that runs
again, or twice at once, finds the row and sends nothing. A send the provider refused is tried
again by a later run (up to `MAX_ATTEMPTS`); one it never answered is not, since it may have
gone out: at most once, never twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from sciaticare.accounts.models import User
from sciaticare.accounts.selectors import local_now
from sciaticare.core.names import one_line
from sciaticare.reminders import push, sms
from sciaticare.reminders.models import (
    MAX_ATTEMPTS,
    MAX_PUSH_FAILURES,
    Channel,
    Delivery,
    DeliveryStatus,
    Kind,
    PushSubscription,
)
from sciaticare.reminders.quiet import Step, quiet_until, step
from sciaticare.reminders.selectors import channels_for, live_devices, quiet_hours_of
from sciaticare.reminders.services.replies import opt_out
from sciaticare.reminders.wording import TITLE, Message

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryKey:
    """What makes a reminder the same reminder: what it is about ("appointment:42") and the
    occasion ("2026-07-01T09:00:00+00:00", the session's start; a diary's day)."""

    about: str
    occasion: str


@dataclass(frozen=True)
class Outcome:
    """What `deliver` did: the channels sent now; when some wait for the end of the person's
    quiet hours, when to call again (the caller queues its own task for then, so that it checks
    afresh that the reminder still applies); and whether quiet hours kept any channel back
    (held or dropped)."""

    sent: frozenset[Channel]
    held_until: datetime | None = None
    quiet: bool = False

    @property
    def count(self) -> int:
        return len(self.sent)


NOTHING = Outcome(frozenset())


def deliver(
    *,
    user: User,
    kind: Kind,
    key: DeliveryKey,
    compose: Callable[[], Message],
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Send a reminder of `kind` to `user` by the channels they chose, once per channel.

    `compose` builds the message; it runs under the person's language, only when something is
    sent. `expires_at`: when the reminder stops being of use (the session's start, the offer's
    end), so that quiet hours never hold it past then. The caller has checked that the reminder
    still applies (the session is still booked, the offer still open)."""
    now = now or timezone.now()
    if not user.is_active:
        return NOTHING
    done = set(
        Delivery.objects.filter(
            kind=kind,
            about=key.about,
            occasion=key.occasion,
            status__in=[DeliveryStatus.SENT, DeliveryStatus.SENDING],
        ).values_list("channel", flat=True)
    )
    channels = [channel for channel in channels_for(user, kind, now) if channel not in done]
    start, end = quiet_hours_of(user)
    until = quiet_until(local_now(user, now), start, end)
    steps = {
        channel: step(kind, channel, until=until, expires_at=expires_at) for channel in channels
    }
    due = sorted(channel for channel, then in steps.items() if then is Step.NOW)
    held_until = until if Step.HOLD in steps.values() else None
    quiet = any(then is not Step.NOW for then in steps.values())
    if not due:
        return Outcome(frozenset(), held_until, quiet)
    with translation.override(user.language):
        message = compose()
    sent = frozenset(
        channel
        for channel in due
        if _send_once(
            user=user,
            kind=kind,
            key=key,
            channel=channel,
            message=message,
            now=now,
            expires_at=expires_at,
        )
    )
    return Outcome(sent, held_until, quiet)


def _claim(
    *, user: User, kind: Kind, key: DeliveryKey, channel: Channel, now: datetime
) -> int | None:
    """The id of this channel's delivery row, claimed for sending; None when another run has it
    (sent, being sent, or refused too often)."""
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                user=user,
                kind=kind,
                about=key.about,
                occasion=key.occasion,
                channel=channel,
                status=DeliveryStatus.SENDING,
                created_at=now,
            ).pk
    except IntegrityError:
        pass
    refused = Delivery.objects.filter(
        kind=kind,
        about=key.about,
        occasion=key.occasion,
        channel=channel,
        status=DeliveryStatus.FAILED,
        attempts__lt=MAX_ATTEMPTS,
    )
    found = refused.values_list("pk", flat=True).first()
    # One conditional UPDATE: of two runs retrying at once, one wins.
    if found is not None and refused.filter(pk=found).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, error=""
    ):
        return found
    return None


def _send_once(
    *,
    user: User,
    kind: Kind,
    key: DeliveryKey,
    channel: Channel,
    message: Message,
    now: datetime,
    expires_at: datetime | None,
) -> bool:
    delivery_id = _claim(user=user, kind=kind, key=key, channel=channel, now=now)
    if delivery_id is None:
        return False
    rows = Delivery.objects.filter(pk=delivery_id)
    try:
        if channel == Channel.EMAIL:
            reference = _mail(user, message)
        elif channel == Channel.SMS:
            reference = _text(user, message)
        else:
            # A device that is off gets it when it is back, unless by then it is of no use.
            ttl = push.MAX_TTL_SECONDS
            if expires_at is not None:
                ttl = int((expires_at - now).total_seconds())
            reference = _notify(user, message, tag=key.about, now=now, ttl=ttl)
    except _Refused as exc:
        rows.update(status=DeliveryStatus.FAILED, error=exc.code[:100])
        logger.warning("%s reminder %s by %s refused: %s", kind, key.about, channel, exc.code)
        return False
    except sms.SmsUncertain:
        # It may have gone out: the row stays "sending", so it is never sent again.
        rows.update(error="no_answer")
        logger.warning("%s reminder %s by text: no answer from the provider", kind, key.about)
        return False
    rows.update(status=DeliveryStatus.SENT, sent_at=now, provider_ref=reference[:64])
    return True


class _Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _mail(user: User, message: Message) -> str:
    try:
        EmailMessage(subject=one_line(message.subject), body=message.body, to=[user.email]).send()
    except (smtplib.SMTPException, OSError) as exc:
        raise _Refused(f"mail_{type(exc).__name__}") from exc
    return ""


def _text(user: User, message: Message) -> str:
    sender = sms.sender()
    if sender is None:
        raise _Refused("sms_off")
    try:
        return sender.send(to=user.phone, body=message.sms())
    except sms.SmsRefused as exc:
        if exc.opted_out:  # the number replied STOP at the provider: honour it here too
            opt_out(phone=user.phone)
        raise _Refused(exc.code) from exc


def _notify(user: User, message: Message, *, tag: str, now: datetime, ttl: int) -> str:
    """Every live device of the person; sent when at least one took it. Devices past their
    expiry, or that the push service no longer knows, are deleted."""
    PushSubscription.objects.filter(user=user, expires_at__lte=now).delete()
    notification = push.Notification(title=TITLE, body=message.text, url=message.url, tag=tag)
    reached, last_error = 0, "push_no_device"
    for device in live_devices(user, now):
        try:
            push.send(
                endpoint=device.endpoint,
                p256dh=device.p256dh,
                auth=device.auth,
                notification=notification,
                ttl=ttl,
            )
        except push.PushGone:
            device.delete()
            last_error = "push_gone"
        except push.PushFailed as exc:
            last_error = exc.code
            failed = PushSubscription.objects.filter(pk=device.pk)
            failed.update(failures=F("failures") + 1)
            failed.filter(failures__gte=MAX_PUSH_FAILURES).delete()
        else:
            reached += 1
            PushSubscription.objects.filter(pk=device.pk).update(failures=0, last_sent_at=now)
    if not reached:
        raise _Refused(last_error)
    return f"{reached} device(s)"
