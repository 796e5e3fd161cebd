"""A clinic with a payment policy, and an appointment at it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sciaticare.billing.models import PaymentPolicy
from tests.factories import AppointmentFactory


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
