"""A clinic's booking rules (`BookingPolicy`): the cancellation window, which both the calendar
(a late cancellation) and billing (its fee) read, so it is edited here, in one place; billing's
payment-policy page and API write it through `set_cancellation_window`."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import Invalid
from sciaticare.directory.models import Clinic
from sciaticare.scheduling.models import BookingPolicy

#: The longest cancellation window a clinic may set: two weeks.
MAX_WINDOW_HOURS = 14 * 24


def set_cancellation_window(*, clinic: Clinic, hours: int, by: User) -> BookingPolicy:
    """Set how long before a session cancelling it is late (0: never late). The clinic's other
    rules keep their values (the defaults, for a clinic that had none)."""
    if not 0 <= hours <= MAX_WINDOW_HOURS:
        message = gettext("Give a number of hours from 0 to %(most)s.") % {"most": MAX_WINDOW_HOURS}
        raise Invalid("cancellation_window", message, [("cancellation_window_hours", message)])
    with transaction.atomic():
        # The model's defaults are the defaults a clinic without rules books by.
        policy, created = BookingPolicy.objects.select_for_update().get_or_create(clinic=clinic)
        if created or policy.cancellation_window_hours != hours:
            policy.cancellation_window_hours = hours
            policy.save(update_fields=["cancellation_window_hours"])
            record_event(actor=by, action="booking_policy.update", patient=None, obj=policy)
    return policy
