"""A clinic's payment policy in plain words, pure: what the confirm step says before a booking
("A deposit of £11.00 (20 %) is taken now by card. …") and the cancel step before a
cancellation ("Your £11.00 deposit comes back in full."). The figures come from `money`;
amounts are written as people read them (core.display).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sciaticare.billing.money import CancellationTerms, DepositKind, Money
from sciaticare.core.display import money as _written


def said(amount: Money) -> str:
    """£11.00, $60.00, ¥5,500."""
    return _written(amount.amount, amount.currency)


def percent_said(percent: Decimal) -> str:
    """20 → "20 %", 12.50 → "12.5 %"."""
    return f"{percent.normalize():f} %"


@dataclass(frozen=True)
class Policy:
    """What the words are made of, for one booking: fees with their tax included."""

    price: Money
    deposit_kind: DepositKind
    deposit_percent: Decimal
    #: The deposit due (zero without one).
    deposit: Money
    #: Taken by card when booking (otherwise everything is paid at the clinic).
    online: bool
    window_hours: int
    late_fee: Money
    no_show_fee: Money
    tax_percent: Decimal = Decimal(0)


def booking_words(policy: Policy) -> str:
    """The policy for the confirm step: what is taken now, what cancelling costs and when, what
    a missed session costs."""
    sentences = [_taken_now(policy)]
    window = f"{policy.window_hours} hours"
    deposit_online = policy.online and policy.deposit.amount > 0
    if deposit_online and policy.late_fee.amount > 0:
        fee = f"the {said(policy.late_fee)} late-cancellation fee"
        if policy.deposit < policy.late_fee:
            # More than the deposit: the rest is charged to the card (fees.charge_fee).
            later = (
                f"{fee} is charged: your {said(policy.deposit)} deposit is kept and "
                f"{said(policy.late_fee - policy.deposit)} more is charged to your card"
            )
        elif policy.late_fee < policy.deposit:
            later = f"{fee} is kept and the rest comes back"
        else:
            later = f"{fee} is kept"
        sentences.append(f"Cancel more than {window} before for a full refund; later, {later}.")
    elif deposit_online:
        sentences.append("Cancel at any time for a full refund.")
    elif policy.late_fee.amount > 0:
        sentences.append(
            f"Cancel more than {window} before at no cost; later, a "
            f"{said(policy.late_fee)} late-cancellation fee is charged."
        )
    if policy.no_show_fee.amount > 0:
        sentences.append(f"A missed session costs {said(policy.no_show_fee)}.")
    if policy.tax_percent > 0:
        sentences.append(
            f"Tax of {percent_said(policy.tax_percent)} is added to the price; "
            "the fees above include it."
        )
    return " ".join(sentences)


def _taken_now(policy: Policy) -> str:
    if not policy.online or policy.deposit.amount == 0:
        return f"Nothing is taken now: you pay {said(policy.price)} at the clinic."
    if policy.deposit_kind is DepositKind.FULL:
        return f"The full price, {said(policy.deposit)}, is taken now by card."
    return (
        f"A deposit of {said(policy.deposit)} ({percent_said(policy.deposit_percent)}) "
        "is taken now by card."
    )


def cancel_words(terms: CancellationTerms, *, paid: Money, by_patient: bool) -> str | None:
    """What cancelling now means for the money, for the cancel step; None when nothing is paid
    and nothing is owed. `paid` is the deposit kept so far (paid less refunds)."""
    deposit = said(paid)
    if not by_patient:
        return f"The client's {deposit} deposit goes back to them in full." if paid.amount else None
    if terms.fee.amount == 0:
        return f"Your {deposit} deposit comes back in full." if paid.amount else None
    fee = f"Cancelling now costs the {said(terms.fee)} late-cancellation fee"
    if paid.amount == 0:
        return f"{fee}."
    if terms.refund.amount > 0:
        return f"{fee}: it is kept from your {deposit} deposit and {said(terms.refund)} comes back."
    if terms.fee == paid:
        return f"{fee}: your {deposit} deposit is kept."
    return f"{fee}: your {deposit} deposit is kept and {said(terms.fee - paid)} more is charged to your card."


def no_show_words(*, fee: Money, paid: Money) -> str | None:
    """What marking a session missed means for the money, for the therapist's confirm step;
    None when there is no fee and no deposit. `fee` includes its tax; `paid` is the session's
    deposit kept so far (paid less refunds), which is counted against the fee
    (`fees.charge_fee`)."""
    deposit = said(paid)
    if fee.amount == 0:
        if paid.amount == 0:
            return None
        return (
            "The clinic's policy has no missed-session fee: the client's "
            f"{deposit} deposit goes back to them in full."
        )
    charge = f"Under the clinic's policy this charges the client a {said(fee)} missed-session fee"
    if paid.amount == 0:
        return f"{charge}."
    if paid < fee:
        return f"{charge} (their {deposit} deposit is counted: {said(fee - paid)} is left to pay)."
    if paid == fee:
        return f"{charge} (their {deposit} deposit covers it)."
    return f"{charge} (it is taken from their {deposit} deposit and {said(paid - fee)} goes back to them)."


def day_said(day: date) -> str:
    """A day as every invoice, receipt and mail writes it: "1 December 2026"."""
    return f"{day.day} {day:%B %Y}"
