"""The processor's word on payments: webhook events, and the reconciliation job that reads the
processor's event list for charges we started but did not hear back from.

Events are kept by id (`ProcessorEvent`): a replay finds the id and changes nothing. The
outcome is recorded through `payments.record`, where `succeeded` is final and `failed` is not
undone by a late `requires_action`, so events arriving out of order (a failure after a success)
cannot undo a payment. Recording an outcome runs `payments.on_succeeded` / `on_failed`, which
settle a deposit's booking (`deposits.settle`: paid → booked, failed → the slot freed) exactly
as the deposit page and the API do after the card's answer.

An event names our payment by the row id in its metadata (`processor.charge` puts it there);
it is applied only if it agrees with that row: the same PaymentIntent (once we know it), the
same amount and currency, and, when the event names a connected account, the clinic's own.
Only payment events are kept; any other type is answered and forgotten.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sciaticare.billing import processor
from sciaticare.billing.models import Payment, PaymentMethod, PaymentStatus, ProcessorEvent
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import policy_of
from sciaticare.billing.services import payments
from sciaticare.core.bounds import whole_number

#: Payment events we act on, and the status of the intent each means.
PAYMENT_EVENTS = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "requires_payment_method",
    "payment_intent.requires_action": "requires_action",
    "payment_intent.canceled": "canceled",
}
#: How final each status is: among one payment's events the reconciliation job applies the
#: most final, whatever order the processor lists them in.
FINALITY = {"succeeded": 3, "requires_payment_method": 2, "canceled": 2, "requires_action": 1}
#: A claimed charge with no answer after this long is looked up by the reconciliation job.
UNANSWERED_AFTER = timedelta(minutes=2)
#: How far back the job reads: Stripe keeps events for 30 days.
EVENTS_KEPT = timedelta(days=30)
#: Allowance for the processor's clock against ours when asking for events since a time.
CLOCK_SKEW = timedelta(minutes=5)
WAITING = [PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION]


def _named_payment(obj: dict[str, Any]) -> int | None:
    """The id of our row the event's metadata names (processor.charge puts it there)."""
    metadata = obj.get("metadata")
    payment_id = str(metadata.get("payment", "")) if isinstance(metadata, dict) else ""
    return whole_number(payment_id)


def _payment_of(event: processor.Event) -> Payment | None:
    """Our payment the event is about, if the event agrees with it (see the module's text)."""
    obj = event.object
    payment_id = _named_payment(obj)
    if payment_id is None:
        return None
    payment = Payment.objects.filter(pk=payment_id, method=PaymentMethod.CARD_ONLINE).first()
    if payment is None:
        return None
    intent = str(obj.get("id", ""))
    if payment.processor_id and payment.processor_id != intent:
        return None
    money = Money.of(payment.amount, payment.currency)
    if obj.get("amount") != money.to_minor() or str(obj.get("currency", "")).upper() != (
        payment.currency
    ):
        return None
    if event.account and event.account != policy_of(payment.clinic).processor_account:
        return None
    return payment


def handle(event: processor.Event, *, now: datetime | None = None) -> bool:
    """Apply one event once; False when it was seen before, is not a payment event, or is not
    about a payment of ours. Types we do not act on are not even kept."""
    status = PAYMENT_EVENTS.get(event.type)
    if status is None:
        return False
    now = now or timezone.now()
    # One transaction: an event is marked seen only together with what it changed, so a crash
    # in between leaves it unseen for the replay.
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProcessorEvent.objects.create(
                    event_id=event.id[:80], type=event.type, received_at=now
                )
        except IntegrityError:
            return False
        payment = _payment_of(event)
        if payment is not None:
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
        ProcessorEvent.objects.filter(event_id=event.id[:80]).update(processed_at=now)
    return payment is not None


def reconcile(
    *, now: datetime | None = None, unanswered_after: timedelta = UNANSWERED_AFTER
) -> int:
    """Record the outcome of every charge that was started and not answered (the process died
    between the processor's charge and our record, or the answer was lost): read the recent
    events of each clinic that has such a payment and apply, per payment, the most final one.
    Returns how many payments it settled (now succeeded or failed). Run every few minutes
    (``manage.py reconcile_payments``); running it again changes nothing.

    Order-independent on purpose: Stripe lists events newest first, the local Stripe-compatible
    server the tests and the demo use lists them oldest first. Nothing here depends on either:
    of one payment's events the most final is applied (succeeded over failed over the bank's
    check), and success is final anyway in `payments.record`."""
    now = now or timezone.now()
    waiting = list(
        Payment.objects.filter(
            status__in=WAITING,
            method=PaymentMethod.CARD_ONLINE,
            attempted_at__lte=now - unanswered_after,
        ).select_related("clinic__payment_policy")
    )
    by_account: dict[str, list[Payment]] = defaultdict(list)
    for payment in waiting:
        by_account[policy_of(payment.clinic).processor_account].append(payment)
    settled = 0
    for account, group in sorted(by_account.items()):
        ids = {payment.pk for payment in group}
        oldest = min(payment.attempted_at or now for payment in group)
        since = max(oldest - CLOCK_SKEW, now - EVENTS_KEPT)
        best: dict[int, processor.Event] = {}
        for event in processor.recent_events(account=account, since=since):
            status = PAYMENT_EVENTS.get(event.type)
            payment_id = _named_payment(event.object)
            if status is None or payment_id not in ids:
                continue
            assert payment_id is not None  # in ids
            chosen = best.get(payment_id)
            if chosen is None or FINALITY[status] > FINALITY[PAYMENT_EVENTS[chosen.type]]:
                best[payment_id] = event
        for payment_id, event in sorted(best.items()):
            if (
                handle(event, now=now)
                and Payment.objects.filter(
                    pk=payment_id, status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.FAILED]
                ).exists()
            ):
                settled += 1
    return settled
