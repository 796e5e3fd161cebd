"""A clinic's takings, pure (no Django): money taken and given back over a range of days, by
day, by therapist and by payment method, each per currency.

A payment counts on the day it went through, a refund on the day it was given; a refund
counts against the therapist and the method of the payment it gives back (money goes back the
way it came). Amounts stay `Decimal` major units; nothing is rounded here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Movement:
    """One payment taken or one refund given, as the takings count it."""

    day: date
    therapist: str  # "" when the money is not for a session with a therapist
    method: str  # how it was paid (a refund: how the payment it gives back was paid)
    currency: str
    taken: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    fee: bool = False  # a late-cancellation or missed-session fee


@dataclass(frozen=True)
class Row:
    """What one day, therapist or method took and gave back, in one currency."""

    key: str | date  # a day, a therapist's name, a method; "" for the whole range
    currency: str
    taken: Decimal
    refunded: Decimal

    @property
    def net(self) -> Decimal:
        """Taken less given back; below zero when a day refunded more than it took."""
        return self.taken - self.refunded

    @property
    def net_size(self) -> Decimal:
        """The net without its sign, for `money` (which formats amounts, never negative)."""
        return abs(self.net)


@dataclass(frozen=True)
class Takings:
    total: list[Row]  # one per currency
    by_day: list[Row]  # oldest first
    by_therapist: list[Row]  # by name
    by_method: list[Row]  # by method
    fees: list[Row]  # fees taken and given back, one per currency


def _rows(movements: Iterable[Movement], key: Callable[[Movement], str | date]) -> list[Row]:
    sums: dict[tuple[str | date, str], tuple[Decimal, Decimal]] = {}
    for movement in movements:
        group = (key(movement), movement.currency)
        taken, refunded = sums.get(group, (Decimal(0), Decimal(0)))
        sums[group] = (taken + movement.taken, refunded + movement.refunded)
    return [Row(k, c, t, r) for (k, c), (t, r) in sorted(sums.items(), key=lambda i: i[0])]


def summarise(movements: Iterable[Movement]) -> Takings:
    moved = list(movements)
    return Takings(
        total=_rows(moved, lambda m: ""),
        by_day=_rows(moved, lambda m: m.day),
        by_therapist=_rows(moved, lambda m: m.therapist),
        by_method=_rows(moved, lambda m: m.method),
        fees=_rows((m for m in moved if m.fee), lambda m: ""),
    )
