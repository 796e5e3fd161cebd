"""Reads about how a person is reminded: their choices, their quiet hours, their devices, and
which channels can reach them now. Each takes the person it is about; the pages pass the
signed-in person, so nobody reads another's settings."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.reminders import push, sms
from sciaticare.reminders.models import (
    Channel,
    ChannelChoice,
    Kind,
    PushSubscription,
    ReminderSettings,
    SmsOptOut,
)

#: The channels of a person who has not chosen: mail, the default channel.
DEFAULT_CHANNELS = frozenset({Channel.EMAIL})


def default_quiet_hours() -> tuple[time, time]:
    """The site's quiet hours for people who have not set theirs (settings.REMINDER_QUIET_HOURS,
    "22:00-08:00"; empty: none)."""
    text = settings.REMINDER_QUIET_HOURS
    if not text:
        return time(0), time(0)
    start, _, end = text.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def quiet_hours_of(user: User) -> tuple[time, time]:
    """(start, end) on the person's own clock; equal times: none."""
    row = ReminderSettings.objects.filter(user=user).values_list("quiet_start", "quiet_end")
    found = row.first()
    return found if found is not None else default_quiet_hours()


def choices_of(user: User) -> dict[Kind, frozenset[Channel]]:
    """The channels the person chose for each kind (mail alone where they have not chosen)."""
    chosen = {row.kind: row.chosen() for row in ChannelChoice.objects.filter(user=user)}
    return {kind: chosen.get(kind, DEFAULT_CHANNELS) for kind in Kind}


def live_devices(user: User, now: datetime | None = None) -> QuerySet[PushSubscription]:
    """The person's push subscriptions whose expiry (if any) has not passed."""
    now = now or timezone.now()
    return PushSubscription.objects.filter(user=user).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def is_opted_out(phone: str) -> bool:
    return bool(phone) and SmsOptOut.objects.filter(phone=phone).exists()


def can_mail(user: User) -> bool:
    """Whether mail can reach the person: a closed account's address is in the reserved
    `.invalid` domain (RFC 2606; accounts.services.close_account)."""
    return bool(user.email) and not user.email.lower().endswith(".invalid")


def reachable(user: User, now: datetime | None = None) -> frozenset[Channel]:
    """The channels that can reach the person now: mail to a real address; texts when the site
    sends them, the person gave a mobile number and it has not replied STOP; notifications when
    the site has its VAPID keys and the person has a device that has not expired."""
    found = set()
    if can_mail(user):
        found.add(Channel.EMAIL)
    if sms.is_on() and user.phone and not is_opted_out(user.phone):
        found.add(Channel.SMS)
    if push.is_ready() and live_devices(user, now).exists():
        found.add(Channel.PUSH)
    return frozenset(found)


def channels_for(user: User, kind: Kind, now: datetime | None = None) -> frozenset[Channel]:
    """The channels a reminder of `kind` goes by: those the person chose that can reach them.
    When none of the chosen ones can (no number, STOP, no device left), mail instead: a choice
    of a channel is not a choice to miss the reminder. Nothing chosen: nothing."""
    chosen = choices_of(user)[kind]
    reach = reachable(user, now)
    usable = chosen & reach
    if chosen and not usable and Channel.EMAIL in reach:
        return DEFAULT_CHANNELS
    return usable


def device_of(*, user: User, device_id: int) -> PushSubscription | None:
    """One of the person's own devices; None for another person's or a missing one (the page
    answers 404 alike)."""
    return PushSubscription.objects.filter(user=user, pk=device_id).first()


def people_with_phone(phone: str) -> QuerySet[User]:
    """Active accounts with this mobile number (a STOP reply's language is theirs)."""
    return User.objects.filter(phone=phone, is_active=True)
