"""The payment policy in plain words: what the confirm step says before a booking, and the
cancel step before a cancellation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from sciaticare.billing.money import DepositKind, Money, cancellation_terms
from sciaticare.billing.terms import (
    Policy,
    booking_words,
    cancel_words,
    day_said,
    no_show_words,
    percent_said,
)


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


def _cancel(
    hours_before: int,
    paid: str,
    fee: str = "20.00",
    *,
    by_patient: bool = True,
    done: bool = False,
):
    terms = cancellation_terms(
        now=START - timedelta(hours=hours_before),
        start=START,
        window_hours=24,
        paid=gbp(paid),
        late_fee=gbp(fee),
    )
    return cancel_words(terms, paid=gbp(paid), by_patient=by_patient, done=done)


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


@pytest.mark.parametrize(
    ("paid", "words"),
    [
        (
            "11.00",
            "A late-cancellation fee of £20.00 was charged: your £11.00 deposit was kept for it "
            "and the other £9.00 is being charged to your card.",
        ),
        (
            "55.00",
            "A late-cancellation fee of £20.00 was charged: it was kept from your £55.00 deposit "
            "and £35.00 is being refunded to you.",
        ),
        (
            "20.00",
            "A late-cancellation fee of £20.00 was charged: your £20.00 deposit was kept for it.",
        ),
        ("0", "A late-cancellation fee of £20.00 was charged."),
    ],
    ids=["fee-above", "fee-below", "equal", "no-deposit"],
)
def test_after_a_late_cancel_the_fee_is_told_as_charged_with_the_same_figures(paid, words) -> None:
    assert _cancel(2, paid, done=True) == words


def test_after_an_in_time_cancel_the_deposit_reads_as_before() -> None:
    assert _cancel(48, "11.00", done=True) == "Your £11.00 deposit comes back in full."
    assert _cancel(2, "11.00", "0", done=True) == "Your £11.00 deposit comes back in full."


def test_a_therapist_cancelling_is_told_the_deposit_goes_back_whatever_the_time() -> None:
    assert _cancel(2, "11.00", by_patient=False) == (
        "The client's £11.00 deposit goes back to them in full."
    )
    assert _cancel(2, "0", by_patient=False) is None


# --- The same words in Spanish (docs/i18n.md): whole sentences, amounts as Spain writes them --


def _spaced(words: str | None) -> str | None:
    """Spanish writes "11,00 GBP" with a no-break space (CLDR); the rows read plainly."""
    return words.replace("\xa0", " ") if words else words


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {},
            "Ahora se cobra con tarjeta un depósito de 11,00 GBP (20 %). Cancele con más de 24 "
            "horas de antelación para recibir un reembolso completo; si cancela más tarde, se "
            "cobra el cargo por cancelación tardía de 20,00 GBP: se retiene su depósito de "
            "11,00 GBP y se cargan 9,00 GBP más en su tarjeta. No acudir a una sesión cuesta "
            "30,00 GBP.",
        ),
        (
            {"deposit_kind": DepositKind.FULL, "deposit": gbp("55.00"), "window_hours": 1},
            "Ahora se cobra con tarjeta el precio completo, 55,00 GBP. Cancele con más de 1 hora "
            "de antelación para recibir un reembolso completo; si cancela más tarde, se retiene "
            "el cargo por cancelación tardía de 20,00 GBP y se le devuelve el resto. No acudir a "
            "una sesión cuesta 30,00 GBP.",
        ),
        (
            {"online": False, "no_show_fee": gbp("0")},
            "Ahora no se cobra nada: usted paga 55,00 GBP en la clínica. Cancele sin coste con "
            "más de 24 horas de antelación; si cancela más tarde, se cobra un cargo por "
            "cancelación tardía de 20,00 GBP.",
        ),
        (
            {
                "deposit_percent": Decimal("12.50"),
                "deposit": gbp("6.88"),
                "late_fee": gbp("0"),
                "no_show_fee": gbp("0"),
                "tax_percent": Decimal(20),
            },
            "Ahora se cobra con tarjeta un depósito de 6,88 GBP (12,5 %). Cancele en cualquier "
            "momento y recibirá un reembolso completo. Al precio se le añade un impuesto del "
            "20 %; los cargos anteriores ya lo incluyen.",
        ),
    ],
    ids=["percent", "full-one-hour", "at-the-clinic", "odd-percent-and-tax"],
)
def test_the_policy_before_booking_in_spanish(changes: dict, words: str) -> None:
    with translation.override("es"):
        assert _spaced(booking_words(policy(**changes))) == words


def test_one_hour_is_one_hour_in_english_too() -> None:
    assert booking_words(policy(window_hours=1, late_fee=gbp("11.00"))).split(". ")[1] == (
        "Cancel more than 1 hour before for a full refund; later, the £11.00 late-cancellation "
        "fee is kept"
    )


@pytest.mark.parametrize(
    ("hours_before", "paid", "by_patient", "words"),
    [
        (48, "11.00", True, "Se le devuelve su depósito de 11,00 GBP completo."),
        (
            2,
            "11.00",
            True,
            "Cancelar ahora cuesta el cargo por cancelación tardía de 20,00 GBP: se retiene su "
            "depósito de 11,00 GBP y se cargan 9,00 GBP más en su tarjeta.",
        ),
        (
            2,
            "55.00",
            True,
            "Cancelar ahora cuesta el cargo por cancelación tardía de 20,00 GBP: se descuenta de "
            "su depósito de 55,00 GBP y se le devuelven 35,00 GBP.",
        ),
        (2, "11.00", False, "Se devuelve al cliente su depósito de 11,00 GBP completo."),
    ],
    ids=["in-time", "late-fee-above", "late-fee-below", "by-the-therapist"],
)
def test_what_cancelling_now_costs_in_spanish(hours_before, paid, by_patient, words) -> None:
    with translation.override("es"):
        assert _spaced(_cancel(hours_before, paid, by_patient=by_patient)) == words


def test_percentages_and_days_in_spanish() -> None:
    with translation.override("es"):
        assert percent_said(Decimal("12.50")) == "12,5 %"
        assert day_said(date(2026, 12, 1)) == "1 de diciembre de 2026"
        assert _spaced(no_show_words(fee=gbp("30.00"), paid=gbp("10.00"))) == (
            "Según la política de la clínica, esto cobra al cliente un cargo por inasistencia "
            "de 30,00 GBP (se descuenta su depósito de 10,00 GBP: quedan 20,00 GBP por pagar)."
        )
