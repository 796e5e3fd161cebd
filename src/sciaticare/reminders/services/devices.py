"""Push subscriptions: a browser that said yes to notifications, and its removal."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from sciaticare.accounts.models import User
from sciaticare.core.errors import Invalid, NotFound
from sciaticare.reminders import push
from sciaticare.reminders.models import ENDPOINT_LENGTH, PushSubscription

#: A P-256 public key as browsers give it (an uncompressed point) and the auth secret, in bytes.
P256DH_BYTES = 65
AUTH_BYTES = 16
#: A person's browsers that get notifications: a phone, a tablet, a few computers. Past this,
#: the oldest subscription goes (attack finding: with no cap, one account could make every
#: reminder go out hundreds of times).
MAX_DEVICES = 10


def _decoded(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def add_device(
    *,
    user: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    expires_at: datetime | None,
    now: datetime | None = None,
) -> PushSubscription:
    """Keep a browser's subscription for the person. A subscription is one browser's, so one
    another account made there (a shared computer) now belongs to whoever subscribed last.
    Invalid names what is wrong: a push service we do not send to, keys that are not keys, an
    expiry already past."""
    now = now or timezone.now()
    if len(endpoint) > ENDPOINT_LENGTH or not push.accepts_endpoint(endpoint):
        message = _("This browser's push service is not one we send notifications to.")
        raise Invalid("push_service_refused", message, [("endpoint", message)])
    key, secret = _decoded(p256dh), _decoded(auth)
    if (
        key is None
        or len(key) != P256DH_BYTES
        or not push.is_public_key(key)
        or secret is None
        or len(secret) != AUTH_BYTES
    ):
        message = _("The subscription's keys are not valid.")
        raise Invalid("push_keys_invalid", message, [("p256dh", message)])
    if expires_at is not None and expires_at <= now:
        message = _("The subscription has already expired.")
        raise Invalid("push_expired", message, [("expiration_time", message)])
    device, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "expires_at": expires_at,
            "created_at": now,
            "failures": 0,
        },
    )
    kept = PushSubscription.objects.filter(user=user).order_by("-created_at", "-pk")
    PushSubscription.objects.filter(pk__in=kept.values_list("pk", flat=True)[MAX_DEVICES:]).delete()
    return device


def purge_expired(now: datetime | None = None) -> int:
    """Delete subscriptions past their expiry (none is sent to anyway); returns how many. Daily,
    with privacy's purges (`manage.py carry_out_deletions`)."""
    deleted, _rows = PushSubscription.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def remove_device(*, user: User, device_id: int) -> None:
    """Forget one of the person's devices: no more notifications there. Another person's, or a
    missing one, is NotFound alike."""
    deleted, _rows = PushSubscription.objects.filter(user=user, pk=device_id).delete()
    if not deleted:
        raise NotFound("device")
