"""Billing's side of scheduling's payment seam (scheduling/payments.py): the policy in words
before booking, before cancelling and before marking a session missed, the deposit's hold, and
the booking API's payment. Installed by BillingConfig.ready() (`connect`)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.billing import processor
from sciaticare.billing.models import PaymentPolicy, PaymentStatus, Purpose, said_by_sciaticare
from sciaticare.billing.money import DepositKind, Money, cancellation_terms, deposit_due, totals
from sciaticare.billing.selectors import (
    deposit_for,
    holds_a_new_deposit_replaces,
    paid_deposits,
    saved_card,
    saved_policy,
    takes_deposit_online,
)
from sciaticare.billing.services import cards, deposits, fees, payments
from sciaticare.billing.terms import Policy, booking_words, cancel_words, no_show_words, said
from sciaticare.core.errors import PaymentFailed
from sciaticare.directory.models import Location, SessionType
from sciaticare.scheduling import payments as seam
from sciaticare.scheduling.models import Appointment, AppointmentStatus
from sciaticare.scheduling.payments import BookingTerms, NoShowTerms, PaymentState
from sciaticare.scheduling.selectors.calendars import policy_of as booking_rules_of
from sciaticare.scheduling.services import holds
from sciaticare.scheduling.services.booking import cancellation_window_hours


def _with_tax(policy: PaymentPolicy, amount: Decimal) -> Money:
    """A fee as the patient pays it: the policy's tax added (invoices.issue adds it)."""
    fee = Money.of(amount, policy.currency)
    return totals([fee], tax_percent=policy.tax_percent, currency=policy.currency).total


def _kept(appointment: Appointment) -> Money | None:
    """The session's deposits paid and not given back, or None when none was paid."""
    found = list(paid_deposits(appointment))
    if not found:
        return None
    kept = [payments.left_to_refund(p) for p in found]  # not given back, nor on its way
    return sum(kept[1:], kept[0])


class BillingDesk:
    def booking_terms(
        self, *, session_type: SessionType, location: Location, start: datetime, now: datetime
    ) -> BookingTerms | None:
        policy = saved_policy(location.clinic)
        if policy is None or session_type.currency != policy.currency:
            return None
        price = Money.of(session_type.price, session_type.currency)
        kind = DepositKind(policy.deposit)
        deposit = deposit_due(price, kind, policy.deposit_percent)
        online = takes_deposit_online(policy)
        words = booking_words(
            Policy(
                price=price,
                deposit_kind=kind,
                deposit_percent=policy.deposit_percent,
                deposit=deposit,
                online=online,
                window_hours=booking_rules_of(location).cancellation_window_hours,
                late_fee=_with_tax(policy, policy.late_cancel_fee),
                no_show_fee=_with_tax(policy, policy.no_show_fee),
                tax_percent=policy.tax_percent,
            )
        )
        taken_now = online and deposit.amount > 0
        return BookingTerms(words=words, deposit=said(deposit) if taken_now else "")

    def deposit_hold(self, *, session_type: SessionType, location: Location) -> timedelta | None:
        return deposits.deposit_hold(session_type=session_type, location=location)

    def open_deposit(
        self, appointment: Appointment, replacing: Collection[int] | None = None
    ) -> None:
        deposits.open_deposit(appointment, replacing=replacing)

    def holds_replaced(self, patient: User) -> list[int]:
        return holds_a_new_deposit_replaces(patient=patient)

    def agree_terms(self, appointment: Appointment) -> None:
        fees.agree(appointment)

    def deposit_page(self, appointment: Appointment) -> str:
        return reverse("billing:deposit", args=[appointment.pk])

    def booking_payment(self, appointment: Appointment) -> PaymentState | None:
        policy = saved_policy(appointment.location.clinic)
        if policy is None or policy.deposit == DepositKind.NONE:
            return None
        if appointment.status != AppointmentStatus.HELD:
            # Paid at the clinic: nothing is taken now.
            price = Money.of(appointment.session_type.price, appointment.session_type.currency)
            due = deposit_due(price, DepositKind(policy.deposit), policy.deposit_percent)
            return PaymentState(status="none", amount=str(due.amount), currency=due.currency)
        payment = deposit_for(patient=appointment.patient, appointment_id=appointment.pk)
        clinic = payment.clinic
        try:
            if saved_card(patient=payment.patient, clinic=clinic) is not None:
                payment = deposits.pay_with_saved_card(payment=payment)
                if payment.status == PaymentStatus.FAILED:
                    raise PaymentFailed(
                        "card_declined",
                        f"{payment.failure_words} "
                        + gettext("The time is free again: book it again to try another card."),
                    )
                return deposits.state_of(payment)
            setup = cards.start_setup(patient=payment.patient, clinic=clinic)
        except processor.ProcessorError as unreachable:
            deposits.settle(payments.fail(payment_id=payment.pk, why=str(unreachable)).pk)
            raise PaymentFailed(
                "processor_unavailable", said_by_sciaticare(str(unreachable))
            ) from None
        return PaymentState(
            status="requires_action",
            amount=str(payment.amount),
            currency=payment.currency,
            id=payment.pk,
            client_secret=setup.client_secret,
        )

    def cancel_terms(
        self, *, appointment: Appointment, user: User, now: datetime, done: bool = False
    ) -> str | None:
        policy = saved_policy(appointment.location.clinic)
        if policy is None:
            return None
        kept = _kept(appointment) or Money.zero(policy.currency)
        terms = cancellation_terms(
            now=now,
            start=appointment.start,
            window_hours=cancellation_window_hours(appointment),
            paid=kept,
            late_fee=_with_tax(policy, fees.fee_for(appointment, Purpose.LATE_CANCEL_FEE).amount),
        )
        return cancel_words(
            terms, paid=kept, by_patient=appointment.patient_id == user.pk, done=done
        )

    def no_show_terms(self, appointment: Appointment, now: datetime) -> NoShowTerms | None:
        """The fee `sessions.charge_no_show` would charge (the agreed one, `fees.fee_for`, with
        the policy's tax), the session's deposit counted against it."""
        policy = saved_policy(appointment.location.clinic)
        if policy is None:
            return None
        fee = _with_tax(policy, fees.fee_for(appointment, Purpose.NO_SHOW_FEE).amount)
        kept = _kept(appointment) or Money.zero(policy.currency)
        words = no_show_words(fee=fee, paid=kept)
        return None if words is None else NoShowTerms(words=words, fee=fee.amount > 0)


def connect() -> None:
    """Install the desk booking consults, and settle a deposit whenever its outcome is recorded
    (the page, the API, the processor's webhook, the reconciliation job) or its hold released
    (from BillingConfig.ready; idempotent)."""
    seam.use_desk(BillingDesk())
    for hooks, hook in (
        (payments.on_succeeded, deposits.settle),
        (payments.on_failed, deposits.settle),
        (holds.on_released, deposits.close_unpaid),
    ):
        if hook not in hooks:
            hooks.append(hook)
