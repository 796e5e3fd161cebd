"""The payment policy in plain words: what the confirm step says before a booking, and the
cancel step before a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from sciaticare.billing.money import DepositKind, Money, cancellation_terms
from sciaticare.billing.terms import Policy, booking_words, cancel_words, percent_said


def gbp(amount: str) -> Money:
    return Money.of(amount, "GBP")


def policy(**changes: object) -> Policy:
    values: dict[str, object] = {
        "price": gbp("55.00"),
        "deposit_kind": DepositKind.PERCENT,
        "deposit_percent": Decimal("20.00"),
        "deposit": gbp("11.00"),
        "online": True,
        "window_hours": 24,
        "late_fee": gbp("20.00"),
        "no_show_fee": gbp("30.00"),
    }
    values.update(changes)
    return Policy(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {},
            "A deposit of £11.00 (20 %) is taken now by card. Cancel more than 24 hours before "
            "for a full refund; later, the £20.00 late-cancellation fee is charged: your £11.00 "
            "deposit is kept and £9.00 more is charged to your card. A missed session costs "
            "£30.00.",
        ),
        (
            {"late_fee": gbp("11.00")},
            "A deposit of £11.00 (20 %) is taken now by card. Cancel more than 24 hours before "
            "for a full refund; later, the £11.00 late-cancellation fee is kept. A missed "
            "session costs £30.00.",
        ),
        (
            {"deposit_kind": DepositKind.FULL, "deposit": gbp("55.00")},
            "The full price, £55.00, is taken now by card. Cancel more than 24 hours before for "
            "a full refund; later, the £20.00 late-cancellation fee is kept and the rest comes "
            "back. A missed session costs £30.00.",
        ),
        (
            {"late_fee": gbp("0"), "no_show_fee": gbp("0")},
            "A deposit of £11.00 (20 %) is taken now by card. Cancel at any time for a full "
            "refund.",
        ),
        (
            {"online": False},
            "Nothing is taken now: you pay £55.00 at the clinic. Cancel more than 24 hours "
            "before at no cost; later, a £20.00 late-cancellation fee is charged. A missed "
            "session costs £30.00.",
        ),
        (
            {
                "deposit_kind": DepositKind.NONE,
                "deposit": gbp("0"),
                "late_fee": gbp("0"),
                "no_show_fee": gbp("0"),
            },
            "Nothing is taken now: you pay £55.00 at the clinic.",
        ),
        (
            {
                "deposit_percent": Decimal("12.50"),
                "deposit": gbp("6.88"),
                "tax_percent": Decimal(20),
            },
            "A deposit of £6.88 (12.5 %) is taken now by card. Cancel more than 24 hours before "
            "for a full refund; later, the £20.00 late-cancellation fee is charged: your £6.88 "
            "deposit is kept and £13.12 more is charged to your card. A missed session costs "
            "£30.00. Tax of 20 % is added to the price; the fees above include it.",
        ),
    ],
    ids=[
        "percent",
        "fee-equals-deposit",
        "full",
        "no-fees",
        "at-the-clinic",
        "nothing",
        "odd-percent-and-tax",
    ],
)
def test_the_policy_before_booking_in_plain_words(changes: dict, words: str) -> None:
    assert booking_words(policy(**changes)) == words


def test_percentages_read_as_people_write_them() -> None:
    assert [percent_said(Decimal(p)) for p in ("20.00", "12.50", "100", "0.5")] == [
        "20 %",
        "12.5 %",
        "100 %",
        "0.5 %",
    ]


START = datetime(2027, 3, 10, 10, tzinfo=UTC)


def _cancel(hours_before: int, paid: str, fee: str = "20.00", *, by_patient: bool = True):
    terms = cancellation_terms(
        now=START - timedelta(hours=hours_before),
        start=START,
        window_hours=24,
        paid=gbp(paid),
        late_fee=gbp(fee),
    )
    return cancel_words(terms, paid=gbp(paid), by_patient=by_patient)


@pytest.mark.parametrize(
    ("hours_before", "paid", "fee", "words"),
    [
        (48, "11.00", "20.00", "Your £11.00 deposit comes back in full."),
        (48, "0", "20.00", None),
        (
            2,
            "11.00",
            "20.00",
            "Cancelling now costs the £20.00 late-cancellation fee: your £11.00 deposit is "
            "kept and £9.00 more is charged to your card.",
        ),
        (
            2,
            "55.00",
            "20.00",
            "Cancelling now costs the £20.00 late-cancellation fee: it is kept from your "
            "£55.00 deposit and £35.00 comes back.",
        ),
        (
            2,
            "20.00",
            "20.00",
            "Cancelling now costs the £20.00 late-cancellation fee: your £20.00 deposit is kept.",
        ),
        (2, "0", "20.00", "Cancelling now costs the £20.00 late-cancellation fee."),
        (2, "11.00", "0", "Your £11.00 deposit comes back in full."),
    ],
    ids=[
        "in-time",
        "in-time-no-deposit",
        "late-fee-above",
        "late-fee-below",
        "late-equal",
        "late-no-deposit",
        "late-no-fee",
    ],
)
def test_what_cancelling_now_costs(hours_before, paid, fee, words) -> None:
    assert _cancel(hours_before, paid, fee) == words


def test_a_therapist_cancelling_is_told_the_deposit_goes_back_whatever_the_time() -> None:
    assert _cancel(2, "11.00", by_patient=False) == (
        "The client's £11.00 deposit goes back to them in full."
    )
    assert _cancel(2, "0", by_patient=False) is None
