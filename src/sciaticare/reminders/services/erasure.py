"""What deleting an account erases here (privacy.services.ERASED): the person's choices, quiet
hours, devices and the record of what was sent to them. A number's STOP is kept: it is the
number's wish, not the account's, and erasing it could let a text reach that number again."""

from __future__ import annotations

from datetime import datetime

from sciaticare.accounts.models import User
from sciaticare.reminders.models import ChannelChoice, Delivery, PushSubscription, ReminderSettings


def erase_patient_data(*, patient: User, now: datetime) -> None:
    ChannelChoice.objects.filter(user=patient).delete()
    ReminderSettings.objects.filter(user=patient).delete()
    PushSubscription.objects.filter(user=patient).delete()
    Delivery.objects.filter(user=patient).delete()
