"""What deleting an account erases here, and how long the record of a reminder is kept.

What deleting an account erases here (privacy.services.ERASED): the person's choices, quiet
hours, devices and the record of what was sent to them. A number's STOP is kept: it is the
number's wish, not the account's, and erasing it could let a text reach that number again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.reminders.models import ChannelChoice, Delivery, PushSubscription, ReminderSettings


def erase_patient_data(*, patient: User, now: datetime) -> None:
    ChannelChoice.objects.filter(user=patient).delete()
    ReminderSettings.objects.filter(user=patient).delete()
    PushSubscription.objects.filter(user=patient).delete()
    Delivery.objects.filter(user=patient).delete()


#: How long the record of a sent reminder is kept: long enough to answer "did my reminder go?",
#: and far past any retry of its task.
DELIVERY_KEEPING = timedelta(days=90)


def purge_old_deliveries(now: datetime | None = None) -> int:
    """Delete delivery records older than DELIVERY_KEEPING; returns how many. Daily, with
    privacy's purges (`manage.py carry_out_deletions`)."""
    cutoff = (now or timezone.now()) - DELIVERY_KEEPING
    deleted, _rows = Delivery.objects.filter(created_at__lt=cutoff).delete()
    return deleted
