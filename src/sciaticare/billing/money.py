"""Money and the payment policy's arithmetic, pure (no Django): what a booking, a cancellation
or a missed session costs, an invoice's totals, and the units of a superbill.

Amounts are `Decimal` major units with an ISO 4217 currency, never floats and never negative.
The processor counts in minor units (pence, cents; none for yen): `to_minor` / `from_minor`
convert at that boundary only, with the currency's own number of decimals (Unicode CLDR, via
Babel, offline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

from babel.numbers import get_currency_precision, is_currency

from sciaticare.core.translation import gettext

#: The largest amount the product handles in one line or invoice (a sanity bound, not a policy):
#: 999,999.99 in the currency's major unit.
MAX_AMOUNT = Decimal("999999.99")


class MoneyError(ValueError):
    """An amount or currency that money must never be: negative, a float, unknown, too precise.
    What a person can cause (a form's amount) is said in their language; a programming error
    (a float, mixed currencies) stays in English."""


def _not_a_currency(currency: str) -> str:
    return gettext("%(currency)s is not an ISO 4217 currency code.") % {"currency": repr(currency)}


@lru_cache(maxsize=64)
def decimals(currency: str) -> int:
    """The number of minor-unit digits of `currency`: 2 for GBP, 0 for JPY, 3 for KWD."""
    if not is_currency(currency):
        raise MoneyError(_not_a_currency(currency))
    return int(get_currency_precision(currency))


@dataclass(frozen=True, order=True)
class Money:
    """An exact amount in one currency; construction checks it (see `of`)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise MoneyError("Amounts are Decimals, never floats or ints.")
        if self.currency != self.currency.upper() or len(self.currency) != 3:
            raise MoneyError(_not_a_currency(self.currency))
        if not self.amount.is_finite():
            raise MoneyError(gettext("An amount must be a finite number."))
        if self.amount < 0:
            raise MoneyError(gettext("An amount is never negative."))
        if self.amount > MAX_AMOUNT:
            raise MoneyError(gettext("An amount is at most %(most)s.") % {"most": MAX_AMOUNT})
        places = decimals(self.currency)
        if self.amount != self.amount.quantize(Decimal(1).scaleb(-places)):
            raise MoneyError(
                gettext("%(currency)s has %(places)s decimal places; %(amount)s has more.")
                % {"currency": self.currency, "places": places, "amount": self.amount}
            )

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: str) -> Money:
        """`Money.of("55.00", "GBP")`; text as a person or a JSON body gives it. Floats are
        refused: 0.1 + 0.2 is not 0.3 in binary."""
        if isinstance(amount, float | bool):
            raise MoneyError("Amounts are decimal text, never floats.")
        try:
            value = Decimal(amount)
        except (InvalidOperation, ValueError, TypeError):
            raise MoneyError(
                gettext("%(amount)s is not an amount.") % {"amount": repr(amount)}
            ) from None
        currency = currency.upper()
        return cls(value.quantize(Decimal(1).scaleb(-decimals(currency))), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls.of(0, currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        """Never below zero: subtracting more than there is raises (a refund above what was
        paid is a bug, not a negative balance)."""
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"Cannot mix {self.currency} and {other.currency}.")

    def to_minor(self) -> int:
        """Minor units for the processor: £55.00 → 5500, ¥5500 → 5500."""
        return int(self.amount.scaleb(decimals(self.currency)))

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        currency = currency.upper()
        return cls(Decimal(minor).scaleb(-decimals(currency)), currency)

    def as_json(self) -> dict[str, str]:
        """The API's form: strings of decimal major units with the code."""
        return {"amount": str(self.amount), "currency": self.currency}


def percent_of(money: Money, percent: Decimal) -> Money:
    """`percent` % of `money`, rounded half up to the currency's minor unit."""
    if not Decimal(0) <= percent <= Decimal(100):
        raise MoneyError("A percentage is between 0 and 100.")
    places = Decimal(1).scaleb(-decimals(money.currency))
    return Money((money.amount * percent / 100).quantize(places, ROUND_HALF_UP), money.currency)


@dataclass(frozen=True)
class Totals:
    """An invoice's sums: lines, the tax on them, and what is still owed."""

    subtotal: Money
    tax: Money
    total: Money
    paid: Money
    refunded: Money

    @property
    def balance(self) -> Money:
        """What the patient still owes: total − (paid − refunded); never negative (an
        overpayment is refunded, not carried)."""
        kept = self.paid - self.refunded
        if kept.amount >= self.total.amount:
            return Money.zero(self.total.currency)
        return self.total - kept


def totals(
    lines: Sequence[Money],
    *,
    tax_percent: Decimal,
    currency: str,
    paid: Sequence[Money] = (),
    refunded: Sequence[Money] = (),
) -> Totals:
    """Sum lines, add tax on the subtotal (one rounding, on the whole: what a VAT invoice
    shows), and the payments and refunds. Refunds can never exceed payments."""
    zero = Money.zero(currency)
    subtotal = sum(lines, zero)
    tax = percent_of(subtotal, tax_percent)
    paid_sum = sum(paid, zero)
    refunded_sum = sum(refunded, zero)
    if refunded_sum.amount > paid_sum.amount:
        raise MoneyError("Refunds cannot exceed what was paid.")
    return Totals(subtotal, tax, subtotal + tax, paid_sum, refunded_sum)


class DepositKind(StrEnum):
    NONE = "none"
    PERCENT = "percent"
    FULL = "full"


def deposit_due(price: Money, kind: DepositKind, percent: Decimal = Decimal(0)) -> Money:
    """What a booking takes at once under the policy: nothing, a share, or the whole price."""
    if kind is DepositKind.NONE:
        return Money.zero(price.currency)
    if kind is DepositKind.FULL:
        return price
    return percent_of(price, percent)


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling now means under the policy, to show before the person confirms."""

    late: bool
    fee: Money
    refund: Money


def cancellation_terms(
    *,
    now: datetime,
    start: datetime,
    window_hours: int,
    paid: Money,
    late_fee: Money,
) -> CancellationTerms:
    """Outside the window the whole deposit comes back and nothing is owed. Inside it the
    late-cancel fee is kept out of what was paid (the rest comes back); if the deposit is
    smaller than the fee, the difference is charged to the card on file."""
    late = now > start - timedelta(hours=window_hours)
    if not late:
        return CancellationTerms(late=False, fee=Money.zero(paid.currency), refund=paid)
    if late_fee.amount >= paid.amount:
        return CancellationTerms(late=True, fee=late_fee, refund=Money.zero(paid.currency))
    return CancellationTerms(late=True, fee=late_fee, refund=paid - late_fee)


#: A timed CPT code's unit is 15 minutes, and a unit counts once at least 8 minutes of it were
#: given (the "8-minute rule": CMS Medicare Claims Processing Manual, chapter 5, section 20.2).
UNIT_MINUTES = 15
MIN_MINUTES_FOR_UNIT = 8
#: Therapeutic massage (effleurage, petrissage, tapotement), per 15 minutes: the CPT code on a US
#: clinic's invoice lines and superbills (docs/clinical.md).
CPT_MASSAGE = "97124"


def cpt_units(minutes: int) -> int:
    """15-minute units of one timed code (e.g. 97124) from the minutes given: 8–22 → 1,
    23–37 → 2, 53–67 → 4; under 8 minutes bills nothing."""
    if minutes < 0:
        raise MoneyError("Minutes are never negative.")
    if minutes < MIN_MINUTES_FOR_UNIT:
        return 0
    return (minutes + UNIT_MINUTES - MIN_MINUTES_FOR_UNIT) // UNIT_MINUTES


def invoice_number(clinic_id: int, year: int, sequence: int) -> str:
    """`C7-2027-000123`: per clinic and year; the sequence has no gaps (services.issue)."""
    if sequence < 1:
        raise MoneyError("Invoice numbers start at 1.")
    return f"C{clinic_id}-{year}-{sequence:06d}"
