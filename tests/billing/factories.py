"""A clinic with a payment policy, an appointment at it, and a therapist to book there."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sciaticare.billing.models import PaymentPolicy
from tests.factories import AppointmentFactory
from tests.scheduling.helpers import working_therapist


def policy_for(appointment: Any, **fields: Any) -> PaymentPolicy:
    defaults: dict[str, Any] = {
        "currency": appointment.session_type.currency,
        "deposit": "percent",
        "deposit_percent": Decimal(20),
        "late_cancel_fee": Decimal("20.00"),
        "no_show_fee": Decimal("30.00"),
        "pay_at_booking": True,
        "legal_name": "Riverside Massage Ltd",
        "address": "1 River Street, London",
    }
    defaults.update(fields)
    policy, _ = PaymentPolicy.objects.update_or_create(
        clinic=appointment.location.clinic, defaults=defaults
    )
    return policy


def appointment_with_policy(**policy: Any) -> Any:
    appointment = AppointmentFactory()
    policy_for(appointment, **policy)
    return appointment


def clinic_policy(clinic: Any, **fields: Any) -> PaymentPolicy:
    """A saved payment policy for `clinic`: a 20 % deposit by card, £20.00 late-cancellation
    and £30.00 missed-session fees (`fields` change any of it)."""
    defaults: dict[str, Any] = {
        "currency": "GBP",
        "deposit": "percent",
        "deposit_percent": Decimal(20),
        "late_cancel_fee": Decimal("20.00"),
        "no_show_fee": Decimal("30.00"),
        "pay_at_booking": True,
        "legal_name": "Riverside Massage Ltd",
    }
    defaults.update(fields)
    policy, _ = PaymentPolicy.objects.update_or_create(clinic=clinic, defaults=defaults)
    return policy


def deposit_therapist(**policy: Any) -> tuple[Any, Any, Any]:
    """A therapist working every day 9–17 at a clinic that takes a 20 % deposit by card on
    their standard session (60 minutes, £50.00: a £10.00 deposit)."""
    therapist, session, location = working_therapist()
    clinic_policy(location.clinic, **policy)
    return therapist, session, location
