"""The database side of the payment crash test (test_payment_crash.py), run in a subprocess with
Django set up on that test's own database and the local processor:
``python -m tests.proof.payment_crash_world prepare|state``.

``prepare`` migrates and writes one therapist working every day and one patient with an ok
intake and an API token (bench/booking_contention.py's world), a payment policy for their
clinic that takes a 20 % deposit by card at booking, and the patient's card kept at the clinic
(set up at the local processor as Stripe.js would, then saved through billing's own service),
so that booking charges the card at once. It prints the world as JSON.

``state`` prints, as JSON, the card payments with their status, PaymentIntent and booking, and
how many times each was audited as paid.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any


def prepare() -> dict[str, Any]:
    from django.conf import settings

    from bench.booking_contention import write_world
    from sciaticare.accounts.models import User
    from sciaticare.billing.models import PaymentPolicy
    from sciaticare.billing.services import cards
    from sciaticare.directory.models import SessionType, TherapistProfile
    from tests.stripe import StripeServer

    world = write_world(1, 1)
    (therapist,) = world["therapists"]
    profile = TherapistProfile.objects.get(pk=therapist["id"])
    clinic = profile.clinics.get()
    currency = SessionType.objects.get(pk=therapist["service"]).currency
    PaymentPolicy.objects.create(
        clinic=clinic,
        currency=currency,
        deposit="percent",
        deposit_percent=Decimal(20),
        pay_at_booking=True,
        legal_name="Crash Massage Ltd",
    )
    patient = User.objects.get(email="patient0@bench.invalid")
    setup = cards.start_setup(patient=patient, clinic=clinic)
    StripeServer(settings.STRIPE_API_BASE).save_card(setup.client_secret)
    cards.save(patient=patient, clinic=clinic, setup_intent=setup.id)
    return {"therapist": therapist, "token": world["tokens"][0], "patient": patient.pk}


def state() -> dict[str, Any]:
    from sciaticare.audit.models import AuditEvent
    from sciaticare.billing.models import Payment

    payments = []
    for payment in Payment.objects.select_related("appointment").order_by("pk"):
        audited = AuditEvent.objects.filter(
            action="billing.paid", object_type="billing.payment", object_id=str(payment.pk)
        ).count()
        payments.append(
            {
                "id": payment.pk,
                "status": payment.status,
                "amount": str(payment.amount),
                "processor_id": payment.processor_id,
                "attempted": payment.attempted_at is not None,
                "appointment_status": payment.appointment.status if payment.appointment else "",
                "audited_paid": audited,
            }
        )
    return {"payments": payments}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("command", choices=["prepare", "state"])
    args = parser.parse_args(argv)
    import django

    django.setup()
    print(json.dumps(prepare() if args.command == "prepare" else state()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
