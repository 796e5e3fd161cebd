"""Secret calendar feeds: one per person, made on first use; a new secret kills the old link."""

from __future__ import annotations

from django.db import transaction

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.scheduling.models import CalendarFeed


def _whose(owner: User) -> User | None:
    # A feed lists the owner's own sessions as a patient; a therapist-only account has none.
    return owner if owner.is_patient else None


def feed_for(*, owner: User) -> CalendarFeed:
    """The owner's feed, made with a fresh secret the first time it is asked for."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.get_or_create(owner=owner)
        if created:
            record_event(
                actor=owner, action="calendar_feed.created", patient=_whose(owner), obj=feed
            )
    return feed


def regenerate_feed(*, owner: User) -> CalendarFeed:
    """Give the owner's feed a new secret: the old link answers 404 from now on."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(owner=owner).first()
        if feed is None:
            feed = CalendarFeed.objects.create(owner=owner)
        else:
            # The field's own default: the same generator as a new feed's secret.
            feed.secret = CalendarFeed._meta.get_field("secret").get_default()
            feed.save(update_fields=["secret"])
        record_event(
            actor=owner, action="calendar_feed.regenerated", patient=_whose(owner), obj=feed
        )
    return feed
