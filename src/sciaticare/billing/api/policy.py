"""Billing API: a clinic's payment policy, read and written by the clinic's own admins (see the
package's docstring). Amounts are decimal text with their currency, never floats."""

from dataclasses import asdict, replace
from decimal import Decimal
from typing import Literal

from django.utils.translation import gettext
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from sciaticare.accounts.types import AuthedRequest
from sciaticare.billing.models import PaymentPolicy
from sciaticare.billing.money import Money
from sciaticare.billing.selectors import policy_to_edit, takes_deposit_online
from sciaticare.billing.services.policy import PolicyValues, save_policy
from sciaticare.core.bounds import ApiId
from sciaticare.core.errors import Invalid
from sciaticare.core.schemas import Body, Problem
from sciaticare.scheduling.selectors.calendars import booking_rules

router = Router(tags=["billing"])

AMOUNT = r"^[0-9]{1,6}(\.[0-9]{1,3})?$"  # ASCII digits: \d would take any script's
PERCENT = r"^[0-9]{1,3}(\.[0-9]{1,2})?$"
DepositChoice = Literal["none", "percent", "full"]


class AmountBody(Body):
    amount: str = Field(description="Decimal major units, e.g. 20.00.")
    currency: str = Field(description="ISO 4217, e.g. GBP.")


class AmountIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: str = Field(pattern=AMOUNT, description="Decimal major units, never a float.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="The policy's own currency.")


class PolicyOut(Body):
    clinic: int
    currency: str
    deposit: DepositChoice
    deposit_percent: str = Field(description="Of the session's price, when deposit is percent.")
    cancellation_window_hours: int = Field(
        description="Cancelling later than this before the start is late (the booking rules')."
    )
    late_cancel_fee: AmountBody
    no_show_fee: AmountBody
    pay_at_booking: bool = Field(
        description="The deposit is taken by card when booking (otherwise at the clinic)."
    )
    takes_deposit_online: bool = Field(
        description="Bookings pay a deposit by card now: pay_at_booking, a deposit, and a "
        "card processor on this site."
    )
    tax_percent: str
    tax_number: str
    legal_name: str
    address: str
    country: str = Field(description="ISO 3166 alpha-2; US clinics give superbills.")
    npi: str = Field(description="US National Provider Identifier (10 digits).")
    insurer_provider_number: str
    processor_account: str = Field(description="The clinic's Stripe account (acct_…).")

    @staticmethod
    def of(policy: PaymentPolicy, window: int) -> "PolicyOut":
        def amount(value: Decimal) -> AmountBody:
            return AmountBody(**Money.of(value, policy.currency).as_json())

        def percent(value: Decimal) -> str:
            return str(Decimal(value).quantize(Decimal("0.01")))

        return PolicyOut(
            clinic=policy.clinic_id,
            currency=policy.currency,
            deposit=policy.deposit,  # type: ignore[arg-type]
            deposit_percent=percent(policy.deposit_percent),
            cancellation_window_hours=window,
            late_cancel_fee=amount(policy.late_cancel_fee),
            no_show_fee=amount(policy.no_show_fee),
            pay_at_booking=policy.pay_at_booking,
            takes_deposit_online=takes_deposit_online(policy),
            tax_percent=percent(policy.tax_percent),
            tax_number=policy.tax_number,
            legal_name=policy.legal_name,
            address=policy.address,
            country=policy.country,
            npi=policy.npi,
            insurer_provider_number=policy.insurer_provider_number,
            processor_account=policy.processor_account,
        )


class PolicyIn(Schema):
    """The fields to change; those left out keep their value."""

    model_config = ConfigDict(extra="forbid")

    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    deposit: DepositChoice | None = None
    deposit_percent: str | None = Field(None, pattern=PERCENT)
    # Strict: JSON's numbers and true/false, as the schema says ("24" or 1 for true is refused).
    cancellation_window_hours: int | None = Field(None, ge=0, le=10_000, strict=True)
    late_cancel_fee: AmountIn | None = None
    no_show_fee: AmountIn | None = None
    pay_at_booking: bool | None = Field(None, strict=True)
    tax_percent: str | None = Field(None, pattern=PERCENT)
    tax_number: str | None = Field(None, max_length=40)
    legal_name: str | None = Field(None, max_length=200)
    address: str | None = Field(None, max_length=500)
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    npi: str | None = Field(None, max_length=10)
    insurer_provider_number: str | None = Field(None, max_length=40)
    processor_account: str | None = Field(None, max_length=64)


def _values(policy: PaymentPolicy, window: int) -> PolicyValues:
    return PolicyValues(
        currency=policy.currency,
        deposit=policy.deposit,
        deposit_percent=policy.deposit_percent,
        cancellation_window_hours=window,
        late_cancel_fee=policy.late_cancel_fee,
        no_show_fee=policy.no_show_fee,
        pay_at_booking=policy.pay_at_booking,
        tax_percent=policy.tax_percent,
        tax_number=policy.tax_number,
        legal_name=policy.legal_name,
        address=policy.address,
        country=policy.country,
        npi=policy.npi,
        insurer_provider_number=policy.insurer_provider_number,
        processor_account=policy.processor_account,
    )


@router.get(
    "/clinics/{clinic_id}/payment-policy",
    response={200: PolicyOut, 404: Problem},
    summary="A clinic's payment policy (its clinic admins)",
)
def get_policy(request: AuthedRequest, clinic_id: ApiId) -> PolicyOut:
    """The clinic's payment policy, or the defaults (no deposit, no fees, pay at the clinic)
    until one is saved. 404 for anyone but the clinic's own admins."""
    clinic, policy = policy_to_edit(user=request.user, clinic_id=clinic_id)
    return PolicyOut.of(policy, booking_rules(clinic).cancellation_window_hours)


@router.put(
    "/clinics/{clinic_id}/payment-policy",
    response={200: PolicyOut, 404: Problem, 422: Problem},
    summary="Change a clinic's payment policy (its clinic admins)",
)
def put_policy(request: AuthedRequest, clinic_id: ApiId, payload: PolicyIn) -> PolicyOut:
    """Change the fields given; saving a policy switches billing on for the clinic. 422 names
    each field that is wrong: amounts below zero or finer than the currency's minor unit, a
    percentage outside 0–100, a currency that is not ISO 4217, a fee in another currency than
    the policy's, or sessions of the clinic priced in another currency (named)."""
    clinic, policy = policy_to_edit(user=request.user, clinic_id=clinic_id)
    values = _values(policy, booking_rules(clinic).cancellation_window_hours)
    given = payload.model_dump(exclude_unset=True)
    currency = given.get("currency") or values.currency
    for field in ("late_cancel_fee", "no_show_fee"):
        if field in given and given[field] is not None:
            fee = given.pop(field)
            if fee["currency"] != currency:
                message = gettext("Give the fee in the policy's currency, %(currency)s.") % {
                    "currency": currency
                }
                raise Invalid("currency", message, [(field, message)])
            given[field] = Decimal(fee["amount"])
    for field in ("deposit_percent", "tax_percent"):
        if given.get(field) is not None:
            given[field] = Decimal(given[field])
    changed = replace(
        values, **{k: v for k, v in given.items() if v is not None and k in asdict(values)}
    )
    saved = save_policy(clinic=clinic, values=changed, by=request.user)
    return PolicyOut.of(saved, changed.cancellation_window_hours)
