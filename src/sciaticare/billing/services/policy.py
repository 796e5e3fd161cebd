"""A clinic's payment policy, written by its clinic admin (the page and the API): checked as a
whole, saved together with the cancellation window it shares with the booking rules
(scheduling's `BookingPolicy`, written through scheduling's service), and audited.

Saving a policy is what switches billing on for a clinic: deposits, fees and invoices follow it
(selectors.saved_policy)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal

from babel import Locale
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.billing.models import PaymentPolicy
from sciaticare.billing.money import DepositKind, Money, MoneyError, decimals, totals
from sciaticare.core.errors import Invalid
from sciaticare.core.names import has_control_characters, has_format_characters
from sciaticare.directory.models import Clinic, SessionType
from sciaticare.scheduling.services.policy import MAX_WINDOW_HOURS, set_cancellation_window


@dataclass(frozen=True)
class PolicyValues:
    """Every field of a payment policy, as the page's form or the API's body gives it."""

    currency: str
    deposit: str
    deposit_percent: Decimal
    cancellation_window_hours: int
    late_cancel_fee: Decimal
    no_show_fee: Decimal
    pay_at_booking: bool
    tax_percent: Decimal
    tax_number: str = ""
    legal_name: str = ""
    address: str = ""
    country: str = "GB"
    npi: str = ""
    insurer_provider_number: str = ""
    processor_account: str = ""


def _session_types_elsewhere(clinic: Clinic, currency: str) -> list[str]:
    """The clinic's session types priced in another currency, named for the admin to fix."""
    found = (
        SessionType.objects.filter(
            Q(therapist__clinics=clinic) | Q(therapist__locations__clinic=clinic)
        )
        .exclude(currency=currency)
        .select_related("therapist__user")
        .distinct()
        .order_by("therapist_id", "pk")
    )
    return [
        gettext("%(session)s of %(therapist)s (%(currency)s)")
        % {"session": t.name, "therapist": t.therapist.user.display_name, "currency": t.currency}
        for t in found
    ]


def _money_errors(clinic: Clinic, values: PolicyValues, currency: str) -> list[tuple[str, str]]:
    """The currency is ISO 4217 and every session of the clinic is priced in it; the fees are
    amounts of it (not negative, not finer than its minor unit)."""
    try:
        decimals(currency)
    except MoneyError:
        return [
            (
                "currency",
                gettext("“%(code)s” is not an ISO 4217 currency code.") % {"code": values.currency},
            )
        ]
    errors = []
    for field in ("late_cancel_fee", "no_show_fee"):
        try:
            Money.of(getattr(values, field), currency)
        except MoneyError as wrong:
            errors.append((field, str(wrong)))
    elsewhere = _session_types_elsewhere(clinic, currency)
    if elsewhere:
        errors.append(
            (
                "currency",
                gettext(
                    "These sessions of the clinic are priced in another currency than "
                    "%(currency)s: %(sessions)s. Change their prices first."
                )
                % {"currency": currency, "sessions": "; ".join(elsewhere)},
            )
        )
    return errors


#: Two-letter codes of real countries (Babel's territories without its groupings and the
#: "unknown region").
COUNTRIES = frozenset(
    code
    for code in Locale("en").territories
    if isinstance(code, str) and len(code) == 2 and code.isalpha()
) - {"ZZ", "EU", "EZ", "UN", "QO"}
ONE_LINE_FIELDS = ("legal_name", "tax_number", "insurer_provider_number", "npi")
ONE_LINE = gettext_noop(
    "Use one line of text, without line breaks, tabs or other control or invisible characters."
)


def _text_errors(values: PolicyValues) -> list[tuple[str, str]]:
    """What invoices print is plain text: one line each, the address lines only broken by line
    breaks; no control or invisible characters (a NUL, a right-to-left override) anywhere."""
    errors = [
        (field, gettext(ONE_LINE))
        for field in ONE_LINE_FIELDS
        if has_control_characters(getattr(values, field))
        or has_format_characters(getattr(values, field))
    ]
    address = values.address.replace("\r\n", "\n").replace("\n", "")
    if has_control_characters(address) or has_format_characters(address):
        errors.append(
            (
                "address",
                gettext(
                    "Use lines of text, without tabs or other control or invisible characters."
                ),
            )
        )
    if values.country.strip().upper() not in COUNTRIES:
        errors.append(
            (
                "country",
                gettext("“%(code)s” is not an ISO 3166 country code, e.g. GB.")
                % {"code": values.country},
            )
        )
    return errors


def _taxed_errors(values: PolicyValues, currency: str) -> list[tuple[str, str]]:
    """A fee with its tax must still be an amount an invoice can carry."""
    errors = []
    for field in ("late_cancel_fee", "no_show_fee"):
        try:
            fee = Money.of(getattr(values, field), currency)
            totals([fee], tax_percent=values.tax_percent, currency=currency)
        except (MoneyError, ArithmeticError):
            errors.append(
                (field, gettext("This fee with its tax is more than an invoice can carry."))
            )
    return errors


def _checked(clinic: Clinic, values: PolicyValues) -> PaymentPolicy:
    """The policy row with these values, or Invalid naming every field that is wrong."""
    currency = values.currency.strip().upper()
    errors = _money_errors(clinic, values, currency) + _text_errors(values)
    if not errors and 0 <= values.tax_percent <= 100:
        errors += _taxed_errors(values, currency)
    if not 0 <= values.cancellation_window_hours <= MAX_WINDOW_HOURS:
        errors.append(
            (
                "cancellation_window_hours",
                gettext("Give a number of hours from 0 to %(most)s.") % {"most": MAX_WINDOW_HOURS},
            )
        )
    if values.deposit not in {kind.value for kind in DepositKind}:
        errors.append(("deposit", gettext("Choose none, a percentage or the full price.")))
    elif values.deposit == DepositKind.PERCENT and not 0 < values.deposit_percent <= 100:
        errors.append(
            ("deposit_percent", gettext("A percentage deposit is more than 0 and at most 100."))
        )
    policy = PaymentPolicy.objects.filter(clinic=clinic).first() or PaymentPolicy(clinic=clinic)
    for field, value in asdict(values).items():
        if field != "cancellation_window_hours":
            setattr(policy, field, value.strip() if isinstance(value, str) else value)
    policy.currency, policy.country = currency, values.country.strip().upper()
    if values.deposit != DepositKind.PERCENT:
        policy.deposit_percent = Decimal(0)
    try:
        # The columns' own rules: lengths, amounts ≥ 0, percentages 0–100, NPI, acct_ ids.
        policy.full_clean(exclude=["clinic", "currency"] + [f for f, _ in errors])
    except ValidationError as wrong:
        errors += [(field, " ".join(messages)) for field, messages in wrong.message_dict.items()]
    if errors:
        raise Invalid("payment_policy", gettext("Some of the payment policy is not right."), errors)
    return policy


def save_policy(*, clinic: Clinic, values: PolicyValues, by: User) -> PaymentPolicy:
    """Check and save a clinic's payment policy and its cancellation window, in one go."""
    policy = _checked(clinic, values)
    with transaction.atomic():
        set_cancellation_window(clinic=clinic, hours=values.cancellation_window_hours, by=by)
        policy.updated_at = timezone.now()
        policy.save()
        record_event(actor=by, action="billing.policy", patient=None, obj=policy)
    return policy
