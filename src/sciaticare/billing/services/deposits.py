"""A deposit taken while a booking holds its slot (docs/billing.md, "Booking with a deposit").

Booking (scheduling's `book_appointment`) holds the slot, HELD until `DEPOSIT_HOLD_MINUTES`
from now, where the clinic's policy takes a deposit by card (`deposit_hold`), and notes the
deposit owed in the same transaction (`open_deposit`: a pending `Payment` of the session,
linked to the appointment). The patient then pays with a card set up in the browser (Stripe.js;
`pay_with_new_card`) or the card already on file (`pay_with_saved_card`), present, so the bank
may ask for its check (3-D Secure: the browser answers it, then `finish`).

`settle` turns the card's answer into the booking's: paid → booked (the usual booking mail)
and a new card it was paid with kept as the card on file; failed → the slot released at once
and the card on file left as it was; paid after the hold ended (it ran out while the bank was
checking) → refunded in full. It runs after each step here and from the processor's webhook and
the reconciliation job (payments.on_succeeded / on_failed), and is idempotent: whichever comes
first decides, the others change nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.billing import processor
from sciaticare.billing.models import (
    HOLD_ENDED,
    LET_GO,
    REPLACED,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Purpose,
    said_by_sciaticare,
)
from sciaticare.billing.money import DepositKind, Money, deposit_due
from sciaticare.billing.selectors import (
    holds_a_new_deposit_replaces,
    paid_deposits,
    policy_of,
    saved_card,
    saved_policy,
    takes_deposit_online,
)
from sciaticare.billing.services import cards, payments
from sciaticare.core.errors import Conflict, PaymentFailed, Refused
from sciaticare.directory.models import Location, SessionType
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.payments import HELD_TIME_NOT_NAMED, PaymentState
from sciaticare.scheduling.services.holds import confirm_paid_hold, release_unpaid_hold


def online_deposit(*, session_type: SessionType, location: Location) -> Money | None:
    """The deposit a new booking of `session_type` at `location` pays by card now, or None
    (the clinic takes none online). Refuses a session priced in another currency than the
    clinic's policy: the wrong money is never taken."""
    policy = saved_policy(location.clinic)
    if policy is None or not takes_deposit_online(policy):
        return None
    if session_type.currency != policy.currency:
        raise Refused(
            "currency_mismatch",
            gettext(
                "This session is priced in %(priced)s but the clinic takes payments in "
                "%(taken)s: it cannot be booked online until the clinic fixes it."
            )
            % {"priced": session_type.currency, "taken": policy.currency},
        )
    price = Money.of(session_type.price, session_type.currency)
    due = deposit_due(price, DepositKind(policy.deposit), policy.deposit_percent)
    return due if due.amount > 0 else None


def deposit_hold(*, session_type: SessionType, location: Location) -> timedelta | None:
    """How long a new booking's slot is held while its deposit is paid; None: book at once."""
    if online_deposit(session_type=session_type, location=location) is None:
        return None
    return timedelta(minutes=settings.DEPOSIT_HOLD_MINUTES)


def open_deposit(appointment: Appointment, *, replacing: Collection[int] | None = None) -> Payment:
    """The deposit a held booking owes; called inside the booking's transaction, so each hold
    has exactly one. One booking of a patient waits for its deposit at a time: the patient's
    earlier holds that nobody started paying are let go (kind `hold_replaced`), so that nobody
    can keep a therapist's week held by booking and never paying. `replacing`: the holds the
    page the patient confirmed on named; one it did not (held since, in another tab) is a
    Conflict, checked inside the booking's transaction rather than on the page before it."""
    due = online_deposit(session_type=appointment.session_type, location=appointment.location)
    if due is None:
        raise Conflict("no_deposit", gettext("This clinic takes no deposit online."))
    earlier = [
        held
        for held in holds_a_new_deposit_replaces(patient=appointment.patient)
        if held != appointment.pk
    ]
    if replacing is not None and not set(earlier) <= set(replacing):
        raise Conflict(
            HELD_TIME_NOT_NAMED,
            gettext(
                "Nothing was booked: since this page opened, you have held a time for its "
                "deposit that this booking would let go. Check it below and confirm again."
            ),
        )
    for appointment_id in earlier:
        # Closed with its reason first, as `let_go` does: the release's hook says "ran out".
        Payment.objects.filter(
            appointment_id=appointment_id, status=PaymentStatus.PENDING, attempted_at__isnull=True
        ).update(status=PaymentStatus.FAILED, failure=REPLACED)
        release_unpaid_hold(appointment_id=appointment_id, kind="hold_replaced")
    return payments.new(
        clinic=appointment.location.clinic,
        patient=appointment.patient,
        purpose=Purpose.SESSION,
        amount=due,
        appointment=appointment,
    )


def is_deposit(payment: Payment) -> bool:
    """A card payment for a session, taken before its invoice: what a booking's hold waits on."""
    return (
        payment.purpose == Purpose.SESSION
        and payment.method == PaymentMethod.CARD_ONLINE
        and payment.appointment_id is not None
        and payment.invoice_id is None
    )


def _nothing_charged(why: str) -> str:
    return said_by_sciaticare(why) + " " + gettext("Nothing was charged.")


def _open_hold(payment: Payment, now: datetime) -> Appointment:
    """The held booking a pending deposit may still be paid for; otherwise the deposit is
    closed (nothing was taken) and Conflict says the hold has ended."""
    if payment.status == PaymentStatus.FAILED:
        raise Conflict("deposit_closed", _nothing_charged(payment.failure))
    if payment.status != PaymentStatus.PENDING or payment.attempted_at is not None:
        raise Conflict("already_paying", gettext("This deposit is paid or being paid already."))
    appointment = Appointment.objects.get(payments=payment)
    if appointment.status != AppointmentStatus.HELD or (
        appointment.hold_expires_at is not None and appointment.hold_expires_at <= now
    ):
        release_unpaid_hold(appointment_id=appointment.pk, kind="hold_expired")
        close_unpaid(appointment.pk)
        raise Conflict("hold_ended", _nothing_charged(HOLD_ENDED))
    return appointment


def let_go(*, payment: Payment) -> None:
    """The patient lets a held booking go before paying: the slot is freed now (kind
    `deposit_released`) and its deposit closed, nothing taken. One being paid is left to its
    outcome (Conflict)."""
    if payment.status != PaymentStatus.PENDING or payment.attempted_at is not None:
        raise Conflict("already_paying", gettext("This deposit is paid or being paid already."))
    assert payment.appointment_id is not None  # a deposit
    with transaction.atomic():
        # Closed with its reason before the hold is released: the release's commit hook
        # closes a still-open deposit as run out (`close_unpaid`), and the page then said the
        # time had run out (found by an outside test; the tests' own transaction hid it).
        Payment.objects.filter(
            pk=payment.pk, status=PaymentStatus.PENDING, attempted_at__isnull=True
        ).update(status=PaymentStatus.FAILED, failure=LET_GO)
        release_unpaid_hold(appointment_id=payment.appointment_id, kind="deposit_released")


def close_unpaid(appointment_id: int) -> None:
    """A released hold's deposit that nobody started paying is closed (failed: the hold ran
    out), so it never shows as waiting. One being paid is left to its outcome (`settle`
    refunds it if it goes through)."""
    Payment.objects.filter(
        appointment_id=appointment_id,
        purpose=Purpose.SESSION,
        method=PaymentMethod.CARD_ONLINE,
        status=PaymentStatus.PENDING,
        attempted_at__isnull=True,
    ).update(status=PaymentStatus.FAILED, failure=HOLD_ENDED)


def _charge(payment: Payment, now: datetime, payment_method: str = "") -> Payment:
    assert payment.appointment_id is not None  # a deposit
    try:
        taken = payments.take(payment=payment, present=True, now=now, payment_method=payment_method)
    except processor.ProcessorError as unreachable:
        # No answer: the booking does not stand, so the slot is freed now. The payment stays
        # claimed and unanswered: if the processor did charge, the reconciliation job records
        # it and `settle` gives it back.
        release_unpaid_hold(appointment_id=payment.appointment_id, kind="deposit_failed")
        raise PaymentFailed("processor_unavailable", said_by_sciaticare(str(unreachable))) from None
    settle(taken.pk)
    taken.refresh_from_db()
    return taken


def pay_with_new_card(
    *, payment: Payment, setup_intent: str, now: datetime | None = None
) -> Payment:
    """Charge the deposit to the card the browser has just set up (Stripe.js confirmed the
    set-up with the card's number, which never reaches us); it becomes the card on file once
    the deposit goes through (`settle`), so a declined card never replaces the clinic's card
    on file. A set-up the bank did not confirm is refused (Conflict) and the slot stays held,
    so another card can be tried."""
    now = now or timezone.now()
    _open_hold(payment, now)
    try:
        method = cards.try_for(payment=payment, setup_intent=setup_intent)
    except processor.ProcessorError as unreachable:
        raise PaymentFailed("processor_unavailable", said_by_sciaticare(str(unreachable))) from None
    return _charge(payment, now, payment_method=method)


def pay_with_saved_card(*, payment: Payment, now: datetime | None = None) -> Payment:
    """Charge the deposit to the card the patient keeps on file at the clinic (one click)."""
    now = now or timezone.now()
    _open_hold(payment, now)
    if saved_card(patient=payment.patient, clinic=payment.clinic) is None:
        raise Conflict("no_saved_card", gettext("No card is saved for this clinic: enter one."))
    return _charge(payment, now)


def finish(*, payment: Payment, now: datetime | None = None) -> Payment:
    """After the browser has answered the bank's check: the payment's outcome, settled."""
    try:
        finished = payments.finish(payment=payment, now=now)
    except processor.ProcessorError as unreachable:
        raise PaymentFailed("processor_unavailable", said_by_sciaticare(str(unreachable))) from None
    settle(finished.pk)
    finished.refresh_from_db()
    return finished


def refund_rest(payment: Payment, reason: str) -> None:
    """Give back whatever is left of a paid deposit; nothing when it is all given back
    already or on its way (a retry, or another path got there first). A refund the processor
    does not answer stays pending and the reconciliation job retries it
    (`payments.retry_pending_refunds`), so the deposit comes back once it answers."""
    left = payments.left_to_refund(payment)
    if left.amount == 0:
        return
    try:
        payments.start_refund(payment=payment, amount=left, reason=reason, by=None)
    except Conflict as refused:
        if refused.code != "refund_too_large":  # given back meanwhile
            raise


def settle(payment_id: int) -> None:
    """Make a deposit's booking follow its payment: paid → booked; failed → released; paid
    after the hold ended → refunded in full. Any other payment is left alone."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not is_deposit(payment):
        return
    assert payment.appointment_id is not None  # is_deposit
    if payment.status == PaymentStatus.SUCCEEDED:
        cards.adopt(payment.pk)  # a new card it went through on is the card on file now
        if confirm_paid_hold(appointment_id=payment.appointment_id) is None:
            refund_rest(payment, HOLD_ENDED)
    elif payment.status == PaymentStatus.FAILED:
        cards.forget_tried(payment.pk)  # the card on file stays what it was
        release_unpaid_hold(appointment_id=payment.appointment_id, kind="deposit_failed")


@dataclass(frozen=True)
class Counted:
    """An invoice with the session's deposits counted against it."""

    #: What the invoice still asks for.
    owed: Money
    #: A deposit's part beyond the invoice's total, to give back once the invoice is committed.
    excess: tuple[Payment, Money] | None = None


def count_against(*, appointment: Appointment, invoice: Invoice) -> Counted:
    """Count the session's paid deposits not yet counted (also those paid before it was moved)
    against `invoice`, each locked and linked to it. Inside the transaction that issues it."""
    total = Money.of(invoice.total, invoice.currency)
    kept, excess = Money.zero(invoice.currency), None
    unlinked = paid_deposits(appointment).filter(invoice__isnull=True)
    for deposit in Payment.objects.select_for_update().filter(pk__in=unlinked).order_by("pk"):
        deposit.invoice = invoice
        deposit.save(update_fields=["invoice"])
        kept += payments.left_to_refund(deposit)  # not given back, nor on its way
        if kept > total:
            excess, kept = (deposit, kept - total), total
    if kept.amount > 0:
        payments.tell_if_paid(invoice.pk)  # the deposits paid it all
    return Counted(owed=total - kept, excess=excess)


def give_back_excess(counted: Counted, reason: str) -> None:
    """After the invoice is committed: refund the deposit's part beyond it."""
    if counted.excess is not None:
        deposit, extra = counted.excess
        payments.start_refund(payment=deposit, amount=extra, reason=reason, by=None)


def state_of(payment: Payment) -> PaymentState:
    """A deposit as the API reports it (DESIGN's statuses: paid, refunded, or requires_action
    with the payment's client secret while the bank's check waits for the browser). A failed
    payment is no state: it is refused (PaymentFailed) where it happens."""
    amount, currency = str(payment.amount), payment.currency
    if payment.status == PaymentStatus.FAILED:
        raise PaymentFailed("card_declined", payment.failure_words)
    if payment.status == PaymentStatus.SUCCEEDED:
        whole = payments.left_to_refund(payment).amount == 0  # given back or on its way
        status = "refunded" if whole else "paid"
        return PaymentState(status=status, amount=amount, currency=currency, id=payment.pk)
    secret = None
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        account = policy_of(payment.clinic).processor_account
        secret = processor.payment(account=account, intent=payment.processor_id).client_secret
    return PaymentState(
        status="requires_action",
        amount=amount,
        currency=currency,
        id=payment.pk,
        client_secret=secret,
    )
