"""Billing's forms: the clinic admin's payment policy; the takings' range of days, and what a
clinic admin records, refunds or waives. Amounts are checked as money (`Money.of`: decimal, the
currency's places, never negative) and against what is owed or left, so a mistake is a message,
never a 500."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sciaticare.billing.models import PaymentMethod, PaymentPolicy
from sciaticare.billing.money import Money, MoneyError
from sciaticare.billing.services.policy import PolicyValues
from sciaticare.core.bounds import day_out_of_range
from sciaticare.core.names import validate_one_line
from sciaticare.core.widgets import DayInput
from sciaticare.scheduling.services.policy import MAX_WINDOW_HOURS

PAY_ONLINE, PAY_AT_CLINIC = "online", "clinic"


#: A label or help text: words marked for translation (gettext_lazy), read when the form shows.
Words = Any

FIGURES = re.compile(r"[0-9]+(\.[0-9]+)?")


class FiguresField(forms.DecimalField):
    """A decimal in plain figures (12.50): not Django's wider reading, which takes other
    scripts' digits ("١٠", "１０") and exponents ("1e1") and shows back a different number."""

    default_error_messages = {"invalid": _("Give a number in figures, e.g. 20.00.")}

    def to_python(self, value: Any) -> Any:  # Decimal | None (the stubs say int)
        if isinstance(value, str) and value.strip() and not FIGURES.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def _amount(label: Words, help_text: Words) -> forms.DecimalField:
    return FiguresField(
        label=label, min_value=0, max_digits=8, decimal_places=2, help_text=help_text
    )


class PaymentPolicyForm(forms.Form):
    """A clinic's payment policy, as its admin sets it (services.policy checks it whole)."""

    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        help_text=_(
            "Three letters (ISO 4217), e.g. GBP, EUR or USD: every session of the clinic "
            "must be priced in it."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}),
    )
    deposit = forms.ChoiceField(
        label=_("Deposit at booking"),
        choices=[
            ("none", _("No deposit")),
            ("percent", _("A percentage of the price")),
            ("full", _("The full price")),
        ],
        widget=forms.RadioSelect,
    )
    deposit_percent = FiguresField(
        label=_("Deposit percentage"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("With a percentage deposit, e.g. 20."),
    )
    pay_at_booking = forms.ChoiceField(
        label=_("How patients pay"),
        choices=[
            (PAY_ONLINE, _("Online by card when booking (the deposit)")),
            (PAY_AT_CLINIC, _("At the clinic")),
        ],
        widget=forms.RadioSelect,
    )
    cancellation_window_hours = forms.IntegerField(
        label=_("Cancellation window (hours)"),
        min_value=0,
        max_value=MAX_WINDOW_HOURS,
        help_text=_("Cancelling later than this before the start is late."),
    )
    late_cancel_fee = _amount(_("Late-cancellation fee"), _("Before tax; 0 for none."))
    no_show_fee = _amount(_("Missed-session fee"), _("Before tax; 0 for none."))
    tax_percent = FiguresField(
        label=_("Tax rate (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("VAT or sales tax added to prices and fees; 0 for none."),
    )
    tax_number = forms.CharField(label=_("Tax number"), max_length=40, required=False)
    legal_name = forms.CharField(
        label=_("Legal name"), max_length=200, required=False, help_text=_("As on your invoices.")
    )
    address = forms.CharField(
        label=_("Address"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        help_text=_("Two letters (ISO 3166), e.g. GB or US: US clinics give superbills."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 3}),
    )
    npi = forms.CharField(
        label=_("US NPI"),
        max_length=10,
        required=False,
        help_text=_("Ten digits (type 2, the clinic)."),
    )
    insurer_provider_number = forms.CharField(
        label=_("Insurer provider number"),
        max_length=40,
        required=False,
        help_text=_("e.g. a UK private insurer's."),
    )
    processor_account = forms.CharField(
        label=_("Stripe account id"),
        max_length=64,
        required=False,
        help_text=_("acct_…: your clinic's own Stripe account, so payments go to the clinic."),
    )

    @staticmethod
    def initial_of(policy: PaymentPolicy, window_hours: int) -> dict[str, object]:
        return {
            "currency": policy.currency,
            "deposit": policy.deposit,
            "deposit_percent": policy.deposit_percent or None,
            "pay_at_booking": PAY_ONLINE if policy.pay_at_booking else PAY_AT_CLINIC,
            "cancellation_window_hours": window_hours,
            "late_cancel_fee": policy.late_cancel_fee,
            "no_show_fee": policy.no_show_fee,
            "tax_percent": policy.tax_percent,
            "tax_number": policy.tax_number,
            "legal_name": policy.legal_name,
            "address": policy.address,
            "country": policy.country,
            "npi": policy.npi,
            "insurer_provider_number": policy.insurer_provider_number,
            "processor_account": policy.processor_account,
        }

    def values(self) -> PolicyValues:
        data = self.cleaned_data
        return PolicyValues(
            currency=data["currency"],
            deposit=data["deposit"],
            deposit_percent=data["deposit_percent"] or Decimal(0),
            cancellation_window_hours=data["cancellation_window_hours"],
            late_cancel_fee=data["late_cancel_fee"],
            no_show_fee=data["no_show_fee"],
            pay_at_booking=data["pay_at_booking"] == PAY_ONLINE,
            tax_percent=data["tax_percent"],
            tax_number=data["tax_number"],
            legal_name=data["legal_name"],
            address=data["address"],
            country=data["country"],
            npi=data["npi"],
            insurer_provider_number=data["insurer_provider_number"],
            processor_account=data["processor_account"],
        )


REASON_LENGTH = 300  # Refund.reason, Invoice.reason


class RangeForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("range of days", "From"), widget=DayInput())
    end = forms.DateField(label=pgettext_lazy("range of days", "To"), widget=DayInput())

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

    amount = FiguresField(min_value=Decimal("0.01"), max_digits=8, decimal_places=2)

    def __init__(self, *args: Any, limit: Money, too_much: str, **kwargs: Any) -> None:
        """`too_much`: the error over the limit, with %(amount)s and %(currency)s ("At most
        %(amount)s %(currency)s is owed.")."""
        super().__init__(*args, **kwargs)
        self.limit, self.too_much = limit, too_much
        self.fields["amount"].label = gettext("Amount (%(currency)s)") % {
            "currency": limit.currency
        }
        self.fields["amount"].initial = limit.amount

    def clean_amount(self) -> Money:
        try:
            amount = Money.of(self.cleaned_data["amount"], self.limit.currency)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount.amount > self.limit.amount:
            raise forms.ValidationError(
                self.too_much % {"amount": self.limit.amount, "currency": self.limit.currency}
            )
        return amount


class RecordPaymentForm(_AmountForm):
    method = forms.ChoiceField(
        label=_("Taken by"),
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
        label=_("Reason"),
        help_text=_("The patient reads it on their Payments page and receipt."),
        validators=[validate_one_line],
    )


class WaiveForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_LENGTH,
        label=_("Reason"),
        help_text=_("The patient reads it on the credit note."),
        validators=[validate_one_line],
    )
