"""A person's choices: the channels of each kind of reminder, and their quiet hours."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import time

from django.db import transaction

from sciaticare.accounts.models import User
from sciaticare.reminders.models import Channel, ChannelChoice, Kind, ReminderSettings


def save_preferences(
    *,
    user: User,
    choices: Mapping[Kind, Collection[Channel]],
    quiet_start: time,
    quiet_end: time,
) -> None:
    """Keep the channels chosen for every kind (a kind left out: none) and the quiet hours
    (equal times: none), in one transaction."""
    with transaction.atomic():
        for kind in Kind:
            choose_channels(user=user, kind=kind, channels=choices.get(kind, ()))
        ReminderSettings.objects.update_or_create(
            user=user, defaults={"quiet_start": quiet_start, "quiet_end": quiet_end}
        )


def choose_channels(*, user: User, kind: Kind, channels: Collection[Channel]) -> None:
    """Keep the channels of one kind of reminder (none: an empty collection); the other kinds
    keep theirs."""
    wanted = set(channels)
    ChannelChoice.objects.update_or_create(
        user=user,
        kind=kind,
        defaults={
            "email": Channel.EMAIL in wanted,
            "sms": Channel.SMS in wanted,
            "push": Channel.PUSH in wanted,
        },
    )
