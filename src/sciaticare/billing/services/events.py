"""The processor's word on payments: webhook events, and the reconciliation job that reads the
processor's event list for charges we started but did not hear back from.

Events are kept by id (`ProcessorEvent`): a replay finds the id and changes nothing. The
outcome is recorded through `payments.record`, where `succeeded` is final, so events arriving
out of order (a failure after a success) cannot undo a payment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from sciaticare.billing import processor
from sciaticare.billing.models import Payment, PaymentPolicy, PaymentStatus, ProcessorEvent
from sciaticare.billing.services import payments

#: Payment events we act on, and the status of the intent each means.
PAYMENT_EVENTS = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "requires_payment_method",
    "payment_intent.requires_action": "requires_action",
    "payment_intent.canceled": "canceled",
}
#: A claimed charge with no answer after this long is looked up by the reconciliation job.
UNANSWERED_AFTER = timedelta(minutes=2)


def _payment_of(obj: dict) -> Payment | None:
    metadata = obj.get("metadata") or {}
    payment_id = str(metadata.get("payment", ""))
    if payment_id.isdigit():
        return Payment.objects.filter(pk=int(payment_id)).first()
    return Payment.objects.filter(processor_id=obj.get("id", "")).exclude(processor_id="").first()


def handle(event: processor.Event, *, now: datetime | None = None) -> bool:
    """Apply one event once; False when it was seen before or is not about a payment of ours."""
    now = now or timezone.now()
    # One transaction: an event is marked seen only together with what it changed, so a crash
    # in between leaves it unseen for the replay.
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProcessorEvent.objects.create(event_id=event.id, type=event.type, received_at=now)
        except IntegrityError:
            return False
        status = PAYMENT_EVENTS.get(event.type)
        payment = _payment_of(event.object) if status else None
        if status and payment is not None:
            payments.record(
                payment_id=payment.pk,
                intent=processor.Intent(
                    id=str(event.object.get("id", "")),
                    status=status,
                    client_secret="",
                    payment_method="",
                ),
                now=now,
            )
        ProcessorEvent.objects.filter(event_id=event.id).update(processed_at=now)
    return payment is not None


def reconcile(*, now: datetime | None = None) -> int:
    """Record the outcome of every charge that was started and not answered (the process died
    between the processor's charge and our record, or the answer was lost): read each clinic's
    recent events and apply those about such payments. Returns how many payments it settled.
    Run every few minutes (``manage.py reconcile_payments``)."""
    now = now or timezone.now()
    waiting = Payment.objects.filter(
        status__in=[PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION],
        attempted_at__lte=now - UNANSWERED_AFTER,
    )
    accounts = set(
        PaymentPolicy.objects.filter(clinic__payments__in=waiting).values_list(
            "processor_account", flat=True
        )
    )
    if waiting.filter(clinic__payment_policy__isnull=True).exists():
        accounts.add("")
    settled = 0
    for account in sorted(accounts):
        for event in reversed(processor.recent_events(account=account)):  # oldest first
            if event.type in PAYMENT_EVENTS and handle(event, now=now):
                settled += 1
    return settled
