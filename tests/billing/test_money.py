"""The money arithmetic: exact, never negative, never mixed currencies (table and properties)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciaticare.billing.money import (
    DepositKind,
    Money,
    MoneyError,
    cancellation_terms,
    cpt_units,
    deposit_due,
    invoice_number,
    percent_of,
    totals,
)

GBP = "GBP"


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("55.00", "GBP", 5500), ("0.01", "USD", 1), ("5500", "JPY", 5500), ("1.234", "KWD", 1234)],
)
def test_minor_units_follow_the_currency(amount: str, currency: str, minor: int) -> None:
    money = Money.of(amount, currency)
    assert money.to_minor() == minor
    assert Money.from_minor(minor, currency) == money


@pytest.mark.parametrize(
    ("amount", "currency", "why"),
    [
        ("-1.00", GBP, "never negative"),
        ("1.005", GBP, "decimal places"),
        ("1.5", "JPY", "decimal places"),
        ("NaN", GBP, "finite"),
        ("1000000.00", GBP, "at most"),
        ("abc", GBP, "not an amount"),
        ("1.00", "XXZ", "ISO 4217"),
    ],
)
def test_bad_money_is_refused_with_why(amount: str, currency: str, why: str) -> None:
    with pytest.raises(MoneyError, match=why):
        Money(Decimal(amount), currency) if why == "decimal places" else Money.of(amount, currency)


def test_floats_are_refused() -> None:
    with pytest.raises(MoneyError, match="never floats"):
        Money.of(0.1, GBP)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="Decimals"):
        Money(1, GBP)  # type: ignore[arg-type]


def test_currencies_never_mix_and_subtraction_never_goes_below_zero() -> None:
    with pytest.raises(MoneyError, match="mix"):
        Money.of("1", GBP) + Money.of("1", "EUR")
    with pytest.raises(MoneyError, match="never negative"):
        Money.of("1", GBP) - Money.of("2", GBP)


@pytest.mark.parametrize(
    ("kind", "percent", "deposit"),
    [
        (DepositKind.NONE, "0", "0.00"),
        (DepositKind.PERCENT, "20", "11.00"),
        (DepositKind.PERCENT, "33.333", "18.33"),
        (DepositKind.PERCENT, "12.5", "6.88"),  # 6.875 rounds half up
        (DepositKind.FULL, "0", "55.00"),
    ],
)
def test_deposit_due(kind: DepositKind, percent: str, deposit: str) -> None:
    assert deposit_due(Money.of("55.00", GBP), kind, Decimal(percent)) == Money.of(deposit, GBP)


START = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours_before", "paid", "fee", "late", "charged", "refund"),
    [
        (48, "11.00", "20.00", False, "0.00", "11.00"),  # outside: all back
        (24, "11.00", "20.00", False, "0.00", "11.00"),  # exactly at the window's edge: on time
        (23, "11.00", "20.00", True, "20.00", "0.00"),  # inside, deposit under the fee
        (1, "55.00", "20.00", True, "20.00", "35.00"),  # inside, the rest of the deposit back
        (1, "0.00", "20.00", True, "20.00", "0.00"),  # no deposit: the fee is charged to the card
    ],
)
def test_cancellation_terms(
    hours_before: int, paid: str, fee: str, late: bool, charged: str, refund: str
) -> None:
    terms = cancellation_terms(
        now=START - timedelta(hours=hours_before),
        start=START,
        window_hours=24,
        paid=Money.of(paid, GBP),
        late_fee=Money.of(fee, GBP),
    )
    assert (terms.late, terms.fee, terms.refund) == (
        late,
        Money.of(charged, GBP),
        Money.of(refund, GBP),
    )


@pytest.mark.parametrize(
    ("minutes", "units"),
    [
        (0, 0),
        (7, 0),
        (8, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (60, 4),
        (67, 4),
        (68, 5),
        (90, 6),
    ],
)
def test_cpt_units_by_the_eight_minute_rule(minutes: int, units: int) -> None:
    assert cpt_units(minutes) == units


def test_invoice_numbers() -> None:
    assert invoice_number(7, 2027, 123) == "C7-2027-000123"
    with pytest.raises(MoneyError):
        invoice_number(7, 2027, 0)


def test_vat_is_rounded_once_on_the_subtotal() -> None:
    lines = [Money.of("0.05", GBP)] * 3  # 20 % of each line would round to 0.01 three times
    result = totals(lines, tax_percent=Decimal(20), currency=GBP)
    assert (result.subtotal, result.tax, result.total) == (
        Money.of("0.15", GBP),
        Money.of("0.03", GBP),
        Money.of("0.18", GBP),
    )


def test_refunds_never_exceed_payments() -> None:
    with pytest.raises(MoneyError, match="exceed"):
        totals(
            [Money.of("10", GBP)],
            tax_percent=Decimal(0),
            currency=GBP,
            paid=[Money.of("5", GBP)],
            refunded=[Money.of("6", GBP)],
        )


amounts = st.decimals(min_value=0, max_value=9999, places=2).map(lambda d: Money.of(d, GBP))


# Decimal strategies draw slowly on a busy machine; the property, not the speed, is under test.
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(amounts, max_size=8), st.decimals(min_value=0, max_value=30, places=1), st.data())
def test_totals_are_lines_plus_tax_minus_refunds(
    lines: list[Money], rate: Decimal, data: st.DataObject
) -> None:
    result = totals(lines, tax_percent=rate, currency=GBP)
    paid = data.draw(st.decimals(min_value=0, max_value=result.total.amount, places=2))
    refunded = data.draw(st.decimals(min_value=0, max_value=paid, places=2))
    with_money = totals(
        lines,
        tax_percent=rate,
        currency=GBP,
        paid=[Money.of(paid, GBP)],
        refunded=[Money.of(refunded, GBP)],
    )
    assert with_money.total == with_money.subtotal + with_money.tax
    assert with_money.subtotal.amount == sum((m.amount for m in lines), Decimal(0))
    assert with_money.balance.amount == result.total.amount - paid + refunded
    assert with_money.balance.amount >= 0


@given(
    st.integers(min_value=0, max_value=99_999_999),
    st.sampled_from(["GBP", "USD", "JPY", "EUR", "KWD"]),
)
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    try:
        money = Money.from_minor(minor, currency)
    except MoneyError:
        return  # above the sanity bound
    assert money.to_minor() == minor


@given(amounts, st.decimals(min_value=0, max_value=100, places=3))
def test_a_percentage_is_never_more_than_the_whole(price: Money, percent: Decimal) -> None:
    share = percent_of(price, percent)
    assert Money.zero(GBP) <= share <= price
