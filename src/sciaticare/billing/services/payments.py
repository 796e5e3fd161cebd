"""Taking a payment exactly once, recording one taken at the clinic, and refunds.

Exactly once: a `Payment` row (with its idempotency key) is committed before the processor is
called; one request claims it (a conditional UPDATE of `attempted_at`), so a double click or a
retry finds it claimed and only reads its status. The processor's answer is recorded with the
row locked, and `succeeded` is final: whatever arrives later (a retried answer, a webhook, the
reconciliation job, in any order) changes nothing. If the process dies between the charge and
the record, the reconciliation job (services/events.py) finds the charge among the processor's
events by the row id in its metadata and records it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.billing import processor
from sciaticare.billing.invoice_selectors import InvoiceState, figures_of, with_sums
from sciaticare.billing.models import (
    BANK_DID_NOT_CONFIRM,
    NO_CARD,
    CardOnFile,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Purpose,
    Refund,
)
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import on_their_way, policy_of
from sciaticare.core.commit_hooks import after_commit
from sciaticare.core.errors import Conflict, PaymentFailed
from sciaticare.directory.models import Clinic
from sciaticare.scheduling.models import Appointment

#: Called after commit with a payment's id once it has succeeded (receipts) or failed (the
#: deposit's hold is released): billing's own modules register here.
on_succeeded: list[Callable[[int], None]] = []
on_failed: list[Callable[[int], None]] = []
#: Called after commit with an invoice's id when it has just become paid in full (a payment
#: recorded against it, or deposits counted when it was issued): integrations' webhooks.
on_invoice_paid: list[Callable[[int], None]] = []


def tell_if_paid(invoice_id: int | None) -> None:
    """Inside the transaction that just counted money against an invoice (a payment that went
    through, deposits at issue): `on_invoice_paid` after commit if it now owes nothing. Money
    is only counted against an invoice that still owes (record_taken caps it, a fee's charge
    is what was owed), so this fires once per invoice becoming paid."""
    if invoice_id is None or not on_invoice_paid:
        return
    invoice = with_sums(Invoice.objects.filter(pk=invoice_id, kind=InvoiceKind.INVOICE)).first()
    if invoice is not None and figures_of(invoice).state is InvoiceState.PAID:
        after_commit(on_invoice_paid, invoice_id)


def new(
    *,
    clinic: Clinic,
    patient: User,
    purpose: Purpose,
    amount: Money,
    appointment: Appointment | None = None,
    invoice: Invoice | None = None,
    method: PaymentMethod = PaymentMethod.CARD_ONLINE,
) -> Payment:
    """A payment to take (card) or, for `record`, one already taken."""
    if amount.amount <= 0:
        raise Conflict("nothing_to_pay", gettext("There is nothing to pay."))
    return Payment.objects.create(
        clinic=clinic,
        patient=patient,
        appointment=appointment,
        invoice=invoice,
        purpose=purpose,
        method=method,
        amount=amount.amount,
        currency=amount.currency,
        idempotency_key=f"sciaticare-payment-{uuid.uuid4().hex}",
    )


def take(
    *,
    payment: Payment,
    present: bool,
    now: datetime | None = None,
    payment_method: str = "",
) -> Payment:
    """Charge the patient's card on file for `payment` (or `payment_method`, a new card of the
    patient's customer being tried: `cards.try_for`), once. Must run outside a transaction
    (the processor is called between two of ours). Returns the row as it now stands."""
    now = now or timezone.now()
    claimed = Payment.objects.filter(
        pk=payment.pk, attempted_at__isnull=True, status=PaymentStatus.PENDING
    ).update(attempted_at=now)
    if not claimed:
        payment.refresh_from_db()
        return payment
    card = CardOnFile.objects.filter(patient_id=payment.patient_id, clinic_id=payment.clinic_id)
    card_row = (card if payment_method else card.exclude(payment_method_id="")).first()
    if card_row is None:
        return fail(payment_id=payment.pk, why=NO_CARD)
    try:
        intent = processor.charge(
            account=policy_of(payment.clinic).processor_account,
            customer=card_row.customer_id,
            payment_method=payment_method or card_row.payment_method_id,
            amount=Money.of(payment.amount, payment.currency),
            key=payment.idempotency_key,
            payment_id=payment.pk,
            present=present,
        )
    except processor.CardDeclined as declined:
        return fail(payment_id=payment.pk, why=str(declined))
    return record(payment_id=payment.pk, intent=intent, now=now)


def finish(*, payment: Payment, now: datetime | None = None) -> Payment:
    """After the browser has answered the bank's check (3-D Secure): read the outcome."""
    if payment.status == PaymentStatus.SUCCEEDED or not payment.processor_id:
        return payment
    intent = processor.payment(
        account=policy_of(payment.clinic).processor_account, intent=payment.processor_id
    )
    return record(payment_id=payment.pk, intent=intent, now=now)


def record(*, payment_id: int, intent: processor.Intent, now: datetime | None = None) -> Payment:
    """Record what the processor says of a payment; `succeeded` is final and recorded once, and
    a failure is undone only by a success (events may arrive in any order)."""
    now = now or timezone.now()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status == PaymentStatus.SUCCEEDED:
            return payment
        if payment.status == PaymentStatus.FAILED and intent.status != "succeeded":
            # Failed already (its hold released): a late "bank's check" or a second failure
            # changes nothing; only a success, which is final, goes over it.
            return payment
        payment.processor_id = payment.processor_id or intent.id
        if intent.status == "succeeded":
            payment.status, payment.succeeded_at, payment.failure = PaymentStatus.SUCCEEDED, now, ""
            record_event(actor=None, action="billing.paid", patient=payment.patient, obj=payment)
            after_commit(on_succeeded, payment.pk)
        elif intent.status == "requires_action":
            payment.status = PaymentStatus.REQUIRES_ACTION
        elif intent.status in ("requires_payment_method", "canceled"):
            payment.status = PaymentStatus.FAILED
            payment.failure = payment.failure or BANK_DID_NOT_CONFIRM
            after_commit(on_failed, payment.pk)
        payment.save()
        if payment.status == PaymentStatus.SUCCEEDED:
            tell_if_paid(payment.invoice_id)
    return payment


def fail(*, payment_id: int, why: str) -> Payment:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != PaymentStatus.SUCCEEDED:
            payment.status, payment.failure = PaymentStatus.FAILED, why[:300]
            payment.save(update_fields=["status", "failure"])
            after_commit(on_failed, payment.pk)
    return payment


def record_taken(
    *, invoice: Invoice, amount: Money, method: PaymentMethod, by: User, now: datetime | None = None
) -> Payment:
    """A payment taken at the clinic (cash, the card terminal) against an invoice: never more
    than the invoice still owes, checked under a lock on the invoice so that two desks recording
    at once cannot both take the last of it."""
    if method == PaymentMethod.CARD_ONLINE:
        raise Conflict(
            "method", gettext("Online card payments are taken by the processor, not recorded.")
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.kind != InvoiceKind.INVOICE or locked.status != InvoiceStatus.ISSUED:
            raise Conflict(
                "not_owed", gettext("Payments are recorded against issued invoices only.")
            )
        owed = figures_of(with_sums(Invoice.objects.filter(pk=invoice.pk)).get()).balance
        if amount.currency != owed.currency:
            raise Conflict(
                "currency",
                gettext("This invoice is in %(currency)s.") % {"currency": owed.currency},
            )
        if not Decimal(0) < amount.amount <= owed.amount:
            raise Conflict(
                "amount",
                gettext("Record more than 0 and at most %(amount)s %(currency)s (owed).")
                % {"amount": owed.amount, "currency": owed.currency},
            )
        payment = new(
            clinic=invoice.clinic,
            patient=invoice.patient,
            purpose=Purpose(invoice.purpose),
            amount=amount,
            appointment=invoice.appointment,
            invoice=invoice,
            method=method,
        )
        payment.status, payment.succeeded_at, payment.recorded_by = (
            PaymentStatus.SUCCEEDED,
            now,
            by,
        )
        payment.save(update_fields=["status", "succeeded_at", "recorded_by"])
        record_event(actor=by, action="billing.paid", patient=invoice.patient, obj=payment)
        after_commit(on_succeeded, payment.pk)
        tell_if_paid(invoice.pk)
    return payment


#: What the admin is told when the processor does not answer a refund.
REFUND_UNANSWERED = gettext_noop(
    "The card processor did not answer. The refund is recorded as pending and will be retried "
    "automatically; nothing more is needed."
)
#: A pending card refund this old is tried again by the reconciliation job (a younger one may
#: still be waiting for its first answer).
RETRY_REFUNDS_AFTER = timedelta(minutes=1)


def refunded(payment: Payment) -> Money:
    """What was given back of `payment` (refunds that went through; see `left_to_refund` for
    those on their way)."""
    total = payment.refunds.filter(status=PaymentStatus.SUCCEEDED).aggregate(s=Sum("amount"))
    return Money.of(total["s"] or 0, payment.currency)


def left_to_refund(payment: Payment) -> Money:
    """What may still be given back of `payment`: its amount less what was given back and what
    is on its way. A pending refund counts, since the processor may have made it (its answer
    lost): counting it is what keeps money from going back twice. A refund the processor
    refused (failed) frees its amount again."""
    paid = Money.of(payment.amount, payment.currency)
    return paid - refunded(payment) - on_their_way(payment=payment)


def refund(
    *, payment: Payment, amount: Money, reason: str, by: User | None, now: datetime | None = None
) -> Refund:
    """Give back `amount` of a succeeded payment (never more than is left of it), with why.

    Online payments go back to the card through the processor, keyed by the refund's row;
    cash and terminal payments are recorded as given back at the clinic. A refund the
    processor refuses is returned failed (with why, in its reason). One it does not answer
    stays pending, to be retried, and PaymentFailed (`processor_unavailable`) says so."""
    made = start_refund(payment=payment, amount=amount, reason=reason, by=by, now=now)
    if made.status == PaymentStatus.PENDING:
        raise PaymentFailed("processor_unavailable", gettext(REFUND_UNANSWERED))
    return made


def start_refund(
    *, payment: Payment, amount: Money, reason: str, by: User | None, now: datetime | None = None
) -> Refund:
    """`refund` for billing's own steps (a deposit given back, a fee waived): the refund as it
    stands, pending when the processor did not answer; the reconciliation job retries it."""
    if not reason.strip():
        raise Conflict("reason_required", gettext("Say why the money is given back."))
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status != PaymentStatus.SUCCEEDED:
            raise Conflict("not_paid", gettext("Only a payment that went through can be refunded."))
        left = left_to_refund(locked)
        if amount.amount <= 0 or amount.amount > left.amount:
            raise Conflict(
                "refund_too_large",
                gettext("At most %(amount)s %(currency)s is left.")
                % {"amount": left.amount, "currency": left.currency},
            )
        made = Refund.objects.create(
            payment=locked,
            amount=amount.amount,
            reason=reason[:300],
            idempotency_key=f"sciaticare-refund-{uuid.uuid4().hex}",
            created_by=by,
            created_at=now or timezone.now(),
        )
        if locked.method != PaymentMethod.CARD_ONLINE:
            made.status = PaymentStatus.SUCCEEDED
            made.save(update_fields=["status"])
        record_event(actor=by, action="billing.refund", patient=locked.patient, obj=made)
    if made.status == PaymentStatus.SUCCEEDED:
        return made
    return _send(made, look_first=False)


def retry_refund(refund: Refund) -> Refund:
    """Try a pending card refund again, the same row: first ask the processor whether it made
    it already (its answer lost; found by the row id in its metadata), and only if not ask
    again with the row's own idempotency key. Its outcome is recorded once. Anything but a
    pending card refund is returned as it stands."""
    refund = Refund.objects.select_related("payment__clinic").get(pk=refund.pk)
    if refund.status != PaymentStatus.PENDING or refund.payment.method != (
        PaymentMethod.CARD_ONLINE
    ):
        return refund
    return _send(refund, look_first=True)


def retry_pending_refunds(
    *, now: datetime | None = None, older_than: timedelta = RETRY_REFUNDS_AFTER
) -> int:
    """The reconciliation job's part for refunds: retry every pending card refund made at least
    `older_than` ago; returns how many are now settled (given back or refused). Running it
    again changes nothing for those."""
    now = now or timezone.now()
    waiting = Refund.objects.filter(
        status=PaymentStatus.PENDING,
        payment__method=PaymentMethod.CARD_ONLINE,
        created_at__lte=now - older_than,
    ).order_by("pk")
    return sum(1 for refund in waiting if retry_refund(refund).status != PaymentStatus.PENDING)


def _send(refund: Refund, *, look_first: bool) -> Refund:
    """Ask the processor to make `refund` (or, `look_first`, whether it made it already) and
    record the answer; no answer leaves it pending."""
    payment = refund.payment
    account = policy_of(payment.clinic).processor_account
    try:
        made = (
            processor.refund_of(account=account, intent=payment.processor_id, refund_id=refund.pk)
            if look_first
            else None
        )
        if made is None:
            made = processor.refund(
                account=account,
                intent=payment.processor_id,
                amount=Money.of(refund.amount, payment.currency),
                key=refund.idempotency_key,
                refund_id=refund.pk,
            )
    except processor.ProcessorUnavailable:
        refund.refresh_from_db()
        return refund
    except processor.ProcessorError as refused:
        return _record_refund(refund.pk, processor_id="", refused=str(refused))
    return _record_refund(
        refund.pk, processor_id=made.id, refused="refused by the processor" if made.refused else ""
    )


def _record_refund(refund_id: int, *, processor_id: str, refused: str) -> Refund:
    """The processor's answer to a refund, recorded once: a refund already answered (a retry and
    a late first answer) is left as it is. Refused: failed, with why, so its amount is free to
    give back again."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status != PaymentStatus.PENDING:
            return refund
        refund.processor_id = processor_id
        if refused:
            refund.status = PaymentStatus.FAILED
            refund.reason = f"{refund.reason} (refused: {refused})"[:300]
        else:
            refund.status = PaymentStatus.SUCCEEDED
        refund.save(update_fields=["processor_id", "status", "reason"])
    return refund


def claim_telling(payment_id: int) -> bool:
    """Claim telling the patient about this payment (a fee their card did not pay): True for the
    one caller that gets it, so that a retried task mails once."""
    claimed = Payment.objects.filter(pk=payment_id, told_at__isnull=True).update(
        told_at=timezone.now()
    )
    return bool(claimed)


def release_telling(payment_id: int) -> None:
    """The mail was not sent after all: free the claim for the retry."""
    Payment.objects.filter(pk=payment_id).update(told_at=None)
