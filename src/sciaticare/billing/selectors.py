"""Shared reads of billing: a clinic's policy, what an invoice still owes, a booking's deposit
and the patient's card."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db.models import QuerySet, Sum

from sciaticare.accounts.models import Role, User
from sciaticare.billing.models import (
    CardOnFile,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentPolicy,
    PaymentStatus,
    Purpose,
    Refund,
)
from sciaticare.billing.money import DepositKind, Money
from sciaticare.core.errors import NotFound
from sciaticare.core.sql import columns, instances, table
from sciaticare.directory.models import Clinic
from sciaticare.scheduling.models import Appointment, AppointmentStatus


def policy_of(clinic: Clinic) -> PaymentPolicy:
    """The clinic's payment policy, or the default (no deposit, no fees, pay at the clinic)
    unsaved, so that every clinic has one to read."""
    try:
        return clinic.payment_policy
    except PaymentPolicy.DoesNotExist:
        return PaymentPolicy(clinic=clinic)


def seller(policy: PaymentPolicy) -> dict[str, str]:
    """What an invoice or a receipt says about the clinic: an invoice copies it in when it is
    issued (services.invoices); a receipt of a payment made before any invoice reads it now."""
    return {
        "name": policy.legal_name or policy.clinic.name,
        "address": policy.address,
        "country": policy.country,
        "tax_number": policy.tax_number,
        "npi": policy.npi,
        "insurer_provider_number": policy.insurer_provider_number,
    }


def credited(invoice: Invoice) -> Money:
    """The subtotal credited so far by credit notes against `invoice`."""
    total = invoice.credit_notes.aggregate(s=Sum("subtotal"))["s"] or Decimal(0)
    return Money.of(total, invoice.currency)


def paid(invoice: Invoice) -> Money:
    """What was paid against `invoice`, less what was refunded of those payments."""
    payments = invoice.payments.filter(status=PaymentStatus.SUCCEEDED)
    taken = payments.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    back = invoice.payments.filter(refunds__status=PaymentStatus.SUCCEEDED).aggregate(
        s=Sum("refunds__amount")
    )["s"] or Decimal(0)
    return Money.of(taken - back, invoice.currency)


def on_their_way(*, invoice: Invoice | None = None, payment: Payment | None = None) -> Money:
    """What is on its way back of the payments against `invoice` (or of `payment`): refunds the
    processor has not answered yet, retried by the reconciliation job."""
    refunds = Refund.objects.filter(status=PaymentStatus.PENDING)
    if invoice is not None:
        refunds, currency = refunds.filter(payment__invoice=invoice), invoice.currency
    else:
        assert payment is not None
        refunds, currency = refunds.filter(payment=payment), payment.currency
    return Money.of(refunds.aggregate(s=Sum("amount"))["s"] or Decimal(0), currency)


# --- Booking: the policy a clinic saved, deposits, cards -------------------------------------


# Plain SQL: every booking asks this, and the ORM's compiling of the related read took longer
# than the database took to answer it (docs/benchmarks.md).
_POLICY_SQL = f"""
SELECT {columns(PaymentPolicy, "p")} FROM {table(PaymentPolicy)} p WHERE p.clinic_id = %s
"""  # noqa: S608 - table and column names from the model; the value goes as a parameter


def saved_policy(clinic: Clinic) -> PaymentPolicy | None:
    """The clinic's policy once it has saved one: a clinic switches billing on by saving it
    (no policy: no deposit, no fees, no invoices). Read once per clinic instance: kept, even
    "none", on the clinic as `clinic.payment_policy` keeps it (and `policy_of`'s unsaved
    defaults, hence the check of the key)."""
    related = Clinic.payment_policy.related
    policy: PaymentPolicy | None
    if related.is_cached(clinic):
        policy = cast(PaymentPolicy | None, related.get_cached_value(clinic))
    else:
        found = instances(_POLICY_SQL, [clinic.pk], (PaymentPolicy,))
        policy = cast(PaymentPolicy, found[0][0]) if found else None
        related.set_cached_value(clinic, policy)
        if policy is not None:
            PaymentPolicy.clinic.field.set_cached_value(policy, clinic)
    return policy if policy is not None and policy.pk is not None else None


def takes_deposit_online(policy: PaymentPolicy) -> bool:
    """Whether bookings at the clinic pay a deposit by card: its policy says so, and the site
    has a processor (without Stripe keys everything is paid at the clinic)."""
    return (
        policy.pay_at_booking
        and policy.deposit != DepositKind.NONE
        and bool(settings.STRIPE_SECRET_KEY)
    )


def policy_to_edit(*, user: User, clinic_id: int) -> tuple[Clinic, PaymentPolicy]:
    """A clinic the user administers, with its policy (or the defaults, unsaved); NotFound
    alike for a clinic that is missing or someone else's (site admins run no clinic's money)."""
    clinic = Clinic.objects.filter(pk=clinic_id, admins=user).first()
    if clinic is None or not user.has_role(Role.CLINIC_ADMIN):
        raise NotFound("clinic")
    return clinic, policy_of(clinic)


def _deposits() -> QuerySet[Payment]:
    return Payment.objects.filter(
        purpose=Purpose.SESSION, method=PaymentMethod.CARD_ONLINE, appointment__isnull=False
    ).select_related("clinic", "appointment__location", "appointment__therapist__user")


def holds_a_new_deposit_replaces(*, patient: User) -> list[int]:
    """The patient's bookings held for a deposit nobody started paying, by appointment id: a
    new booking that waits for its own deposit lets them go (one at a time, so that nobody
    keeps a therapist's week held by booking and never paying). One being paid is left to its
    outcome."""
    return sorted(
        set(
            _deposits()
            .filter(
                patient=patient,
                status=PaymentStatus.PENDING,
                attempted_at__isnull=True,
                appointment__status=AppointmentStatus.HELD,
            )
            .values_list("appointment_id", flat=True)
        )
    )


def deposit_for(*, patient: User, appointment_id: int) -> Payment:
    """The patient's own deposit for a booking; NotFound alike when missing or not theirs."""
    found = _deposits().filter(patient=patient, appointment_id=appointment_id).first()
    if found is None:
        raise NotFound("deposit")
    return found


def payment_for(*, patient: User, payment_id: int) -> Payment:
    """The patient's own deposit payment by its id; NotFound alike otherwise."""
    found = _deposits().filter(patient=patient, pk=payment_id).first()
    if found is None:
        raise NotFound("payment")
    return found


def session_chain(appointment: Appointment) -> list[int]:
    """The appointment's id and those of the times it was moved from: a deposit paid for the
    first stays with the session when it moves."""
    ids, earlier = [appointment.pk], appointment.rescheduled_from_id
    while earlier is not None:
        ids.append(earlier)
        earlier = (
            Appointment.objects.filter(pk=earlier)
            .values_list("rescheduled_from_id", flat=True)
            .first()
        )
    return ids


def paid_deposits(appointment: Appointment) -> QuerySet[Payment]:
    """The session's deposits that went through (however much was refunded since)."""
    return Payment.objects.filter(
        appointment_id__in=session_chain(appointment),
        purpose=Purpose.SESSION,
        method=PaymentMethod.CARD_ONLINE,
        status=PaymentStatus.SUCCEEDED,
    ).order_by("pk")


def saved_card(*, patient: User, clinic: Clinic) -> CardOnFile | None:
    """The patient's card on file at the clinic, once one has been set up."""
    return (
        CardOnFile.objects.filter(patient=patient, clinic=clinic)
        .exclude(payment_method_id="")
        .first()
    )
