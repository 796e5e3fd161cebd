"""A clinic's payment policy in plain words, pure: what the confirm step says before a booking
("A deposit of £11.00 (20 %) is taken now by card. …") and the cancel step before a
cancellation ("Your £11.00 deposit comes back in full."). The figures come from `money`;
amounts are written as people read them (core.display).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal

from sciaticare.billing.money import CancellationTerms, DepositKind, Money
from sciaticare.core.display import day as _day
from sciaticare.core.display import locale
from sciaticare.core.display import money as _written
from sciaticare.core.translation import gettext, ngettext


def said(amount: Money) -> str:
    """£11.00, $60.00, ¥5,500 (11,00 £ in Spanish)."""
    return _written(amount.amount, amount.currency)


def percent_said(percent: Decimal) -> str:
    """20 → "20 %", 12.50 → "12.5 %" ("12,5 %" in Spanish)."""
    return f"{format_decimal(percent.normalize(), locale=locale())} %"


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
    a missed session costs. Whole sentences, each translated as one (docs/i18n.md)."""
    sentences = [_taken_now(policy)]
    hours = policy.window_hours
    figures = {
        "hours": hours,
        "fee": said(policy.late_fee),
        "deposit": said(policy.deposit),
    }
    deposit_online = policy.online and policy.deposit.amount > 0
    if deposit_online and policy.late_fee.amount > 0:
        if policy.deposit < policy.late_fee:
            # More than the deposit: the rest is charged to the card (fees.charge_fee).
            figures["more"] = said(policy.late_fee - policy.deposit)
            sentence = ngettext(
                "Cancel more than %(hours)s hour before for a full refund; later, the %(fee)s "
                "late-cancellation fee is charged: your %(deposit)s deposit is kept and "
                "%(more)s more is charged to your card.",
                "Cancel more than %(hours)s hours before for a full refund; later, the %(fee)s "
                "late-cancellation fee is charged: your %(deposit)s deposit is kept and "
                "%(more)s more is charged to your card.",
                hours,
            )
        elif policy.late_fee < policy.deposit:
            sentence = ngettext(
                "Cancel more than %(hours)s hour before for a full refund; later, the %(fee)s "
                "late-cancellation fee is kept and the rest comes back.",
                "Cancel more than %(hours)s hours before for a full refund; later, the %(fee)s "
                "late-cancellation fee is kept and the rest comes back.",
                hours,
            )
        else:
            sentence = ngettext(
                "Cancel more than %(hours)s hour before for a full refund; later, the %(fee)s "
                "late-cancellation fee is kept.",
                "Cancel more than %(hours)s hours before for a full refund; later, the %(fee)s "
                "late-cancellation fee is kept.",
                hours,
            )
        sentences.append(sentence % figures)
    elif deposit_online:
        sentences.append(gettext("Cancel at any time for a full refund."))
    elif policy.late_fee.amount > 0:
        sentences.append(
            ngettext(
                "Cancel more than %(hours)s hour before at no cost; later, a %(fee)s "
                "late-cancellation fee is charged.",
                "Cancel more than %(hours)s hours before at no cost; later, a %(fee)s "
                "late-cancellation fee is charged.",
                hours,
            )
            % figures
        )
    if policy.no_show_fee.amount > 0:
        sentences.append(
            gettext("A missed session costs %(fee)s.") % {"fee": said(policy.no_show_fee)}
        )
    if policy.tax_percent > 0:
        sentences.append(
            gettext("Tax of %(percent)s is added to the price; the fees above include it.")
            % {"percent": percent_said(policy.tax_percent)}
        )
    return " ".join(sentences)


def _taken_now(policy: Policy) -> str:
    if not policy.online or policy.deposit.amount == 0:
        return gettext("Nothing is taken now: you pay %(price)s at the clinic.") % {
            "price": said(policy.price)
        }
    if policy.deposit_kind is DepositKind.FULL:
        return gettext("The full price, %(price)s, is taken now by card.") % {
            "price": said(policy.deposit)
        }
    return gettext("A deposit of %(deposit)s (%(percent)s) is taken now by card.") % {
        "deposit": said(policy.deposit),
        "percent": percent_said(policy.deposit_percent),
    }


def cancel_words(
    terms: CancellationTerms, *, paid: Money, by_patient: bool, done: bool = False
) -> str | None:
    """What cancelling now means for the money, for the cancel step; None when nothing is paid
    and nothing is owed. `paid` is the deposit kept so far (paid less refunds). `done`: a late
    cancellation's fee told after the cancel, as charged (the same figures); a deposit coming
    back reads the same before and after."""
    figures = {"deposit": said(paid), "fee": said(terms.fee)}
    if not by_patient:
        if not paid.amount:
            return None
        return gettext("The client's %(deposit)s deposit goes back to them in full.") % figures
    if terms.fee.amount == 0:
        if not paid.amount:
            return None
        return gettext("Your %(deposit)s deposit comes back in full.") % figures
    if done:
        return _late_cancel_done(terms, paid, figures)
    if paid.amount == 0:
        return gettext("Cancelling now costs the %(fee)s late-cancellation fee.") % figures
    if terms.refund.amount > 0:
        figures["back"] = said(terms.refund)
        return (
            gettext(
                "Cancelling now costs the %(fee)s late-cancellation fee: it is kept from your "
                "%(deposit)s deposit and %(back)s comes back."
            )
            % figures
        )
    if terms.fee == paid:
        return (
            gettext(
                "Cancelling now costs the %(fee)s late-cancellation fee: your %(deposit)s "
                "deposit is kept."
            )
            % figures
        )
    figures["more"] = said(terms.fee - paid)
    return (
        gettext(
            "Cancelling now costs the %(fee)s late-cancellation fee: your %(deposit)s deposit "
            "is kept and %(more)s more is charged to your card."
        )
        % figures
    )


def _late_cancel_done(terms: CancellationTerms, paid: Money, figures: dict[str, str]) -> str:
    """A late cancellation's fee, told after the cancel: charged, out of the deposit first (the
    card's part and any refund go through the processor just after, hence "is being")."""
    if paid.amount == 0:
        return gettext("A late-cancellation fee of %(fee)s was charged.") % figures
    if terms.refund.amount > 0:
        figures["back"] = said(terms.refund)
        return (
            gettext(
                "A late-cancellation fee of %(fee)s was charged: it was kept from your "
                "%(deposit)s deposit and %(back)s is being refunded to you."
            )
            % figures
        )
    if terms.fee == paid:
        return (
            gettext(
                "A late-cancellation fee of %(fee)s was charged: your %(deposit)s deposit was "
                "kept for it."
            )
            % figures
        )
    figures["more"] = said(terms.fee - paid)
    return (
        gettext(
            "A late-cancellation fee of %(fee)s was charged: your %(deposit)s deposit was kept "
            "for it and the other %(more)s is being charged to your card."
        )
        % figures
    )


def no_show_words(*, fee: Money, paid: Money) -> str | None:
    """What marking a session missed means for the money, for the therapist's confirm step;
    None when there is no fee and no deposit. `fee` includes its tax; `paid` is the session's
    deposit kept so far (paid less refunds), which is counted against the fee
    (`fees.charge_fee`)."""
    figures = {"deposit": said(paid), "fee": said(fee)}
    if fee.amount == 0:
        if paid.amount == 0:
            return None
        return (
            gettext(
                "The clinic's policy has no missed-session fee: the client's %(deposit)s "
                "deposit goes back to them in full."
            )
            % figures
        )
    if paid.amount == 0:
        return (
            gettext(
                "Under the clinic's policy this charges the client a %(fee)s missed-session fee."
            )
            % figures
        )
    if paid < fee:
        figures["left"] = said(fee - paid)
        return (
            gettext(
                "Under the clinic's policy this charges the client a %(fee)s missed-session fee "
                "(their %(deposit)s deposit is counted: %(left)s is left to pay)."
            )
            % figures
        )
    if paid == fee:
        return (
            gettext(
                "Under the clinic's policy this charges the client a %(fee)s missed-session fee "
                "(their %(deposit)s deposit covers it)."
            )
            % figures
        )
    figures["back"] = said(paid - fee)
    return (
        gettext(
            "Under the clinic's policy this charges the client a %(fee)s missed-session fee (it "
            "is taken from their %(deposit)s deposit and %(back)s goes back to them)."
        )
        % figures
    )


def day_said(day: date) -> str:
    """A day as every invoice, receipt and mail writes it: "1 December 2026" ("1 de diciembre
    de 2026")."""
    return _day(day, "long")
