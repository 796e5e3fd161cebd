"""Billing's forms: the takings' range of days, and what a clinic admin records, refunds or
waives. Amounts are checked as money (`Money.of`: decimal, the currency's places, never
negative) and against what is owed or left, so a mistake is a message, never a 500."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from sciaticare.billing.models import PaymentMethod
from sciaticare.billing.money import Money, MoneyError
from sciaticare.core.bounds import day_out_of_range
from sciaticare.core.names import validate_one_line

REASON_LENGTH = 300  # Refund.reason, Invoice.reason


class RangeForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def _day(self, name: str) -> date:
        day: date = self.cleaned_data[name]
        if problem := day_out_of_range(day):
            raise forms.ValidationError(problem)
        return day

    def clean_start(self) -> date:
        return self._day("start")

    def clean_end(self) -> date:
        return self._day("end")


class _AmountForm(forms.Form):
    """An amount of money up to `limit`, in its currency."""

    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=8, decimal_places=2)

    def __init__(self, *args: Any, limit: Money, limit_words: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit, self.limit_words = limit, limit_words
        self.fields["amount"].label = f"Amount ({limit.currency})"
        self.fields["amount"].initial = limit.amount

    def clean_amount(self) -> Money:
        try:
            amount = Money.of(self.cleaned_data["amount"], self.limit.currency)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount.amount > self.limit.amount:
            raise forms.ValidationError(f"At most {self.limit.amount} {self.limit_words}.")
        return amount


class RecordPaymentForm(_AmountForm):
    method = forms.ChoiceField(
        label="Taken by",
        choices=[
            (m.value, m.label)
            for m in (PaymentMethod.CASH, PaymentMethod.CARD_TERMINAL, PaymentMethod.OTHER)
        ],
        widget=forms.RadioSelect,
        initial=PaymentMethod.CASH,
    )


class RefundForm(_AmountForm):
    reason = forms.CharField(
        max_length=REASON_LENGTH,
        label="Reason",
        help_text="The patient reads it on their Payments page and receipt.",
        validators=[validate_one_line],
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_LENGTH,
        label="Reason",
        help_text="The patient reads it on the credit note.",
        validators=[validate_one_line],
    )
