"""A patient's card on file at a clinic: set up in the browser (Stripe.js sends the card to the
processor, 3-D Secure when the bank asks), kept at the processor, charged later for a deposit
or a fee. We keep only the processor's ids and what a person recognises a card by."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.audit.services import record_event
from sciaticare.billing import processor
from sciaticare.billing.models import CardOnFile, Payment
from sciaticare.billing.selectors import policy_of
from sciaticare.core.errors import Conflict
from sciaticare.directory.models import Clinic


def _customer(*, patient: User, clinic: Clinic) -> CardOnFile:
    card, _ = CardOnFile.objects.get_or_create(
        patient=patient, clinic=clinic, defaults={"customer_id": ""}
    )
    if not card.customer_id:
        # Keyed by our row, so a retry after a lost answer finds the same customer at Stripe.
        card.customer_id = processor.create_customer(
            account=policy_of(clinic).processor_account,
            email=patient.email,
            name=patient.get_full_name(),
            key=f"sciaticare-customer-{card.pk}",
        )
        card.save(update_fields=["customer_id"])
    return card


def start_setup(*, patient: User, clinic: Clinic) -> processor.Intent:
    """A card set-up for the browser to confirm (its client secret goes to Stripe.js)."""
    card = _customer(patient=patient, clinic=clinic)
    return processor.start_card_setup(
        account=policy_of(clinic).processor_account,
        customer=card.customer_id,
        # Each set-up is a new attempt: a person may try a second card after a decline.
        key=f"sciaticare-setup-{card.pk}-{uuid.uuid4().hex}",
    )


def _confirmed(
    *, patient: User, clinic: Clinic, setup_intent: str
) -> tuple[CardOnFile, str, processor.Card]:
    """The patient's row at the clinic, the payment method of a set-up the processor says
    succeeded for this patient's own customer (an id from someone else's set-up is refused),
    and what a person recognises the card by."""
    account = policy_of(clinic).processor_account
    card = CardOnFile.objects.filter(patient=patient, clinic=clinic).first()
    intent = processor.card_setup(account=account, setup_intent=setup_intent)
    if card is None or not card.customer_id or intent.customer not in ("", card.customer_id):
        raise Conflict("card_not_yours", gettext("That card set-up belongs to someone else."))
    if intent.status != "succeeded" or not intent.payment_method:
        raise Conflict(
            "card_not_saved",
            gettext("The card was not saved (the bank did not confirm it). Try again."),
        )
    details = processor.card(account=account, payment_method=intent.payment_method)
    return card, intent.payment_method, details


def _keep(card: CardOnFile, payment_method: str, details: processor.Card) -> None:
    card.payment_method_id = payment_method
    card.brand, card.last4 = details.brand, details.last4
    card.exp_month, card.exp_year = details.exp_month, details.exp_year
    card.trying = {}
    card.updated_at = timezone.now()
    card.save()
    record_event(actor=card.patient, action="billing.card_saved", patient=card.patient, obj=card)


def save(*, patient: User, clinic: Clinic, setup_intent: str) -> CardOnFile:
    """Keep the card the browser just set up as the card on file, once the processor says it
    succeeded for this patient's own customer."""
    card, payment_method, details = _confirmed(
        patient=patient, clinic=clinic, setup_intent=setup_intent
    )
    _keep(card, payment_method, details)
    return card


def try_for(*, payment: Payment, setup_intent: str) -> str:
    """A card the browser just set up to pay `payment` with (its payment method's id): noted
    beside the card on file, which it becomes only once that payment goes through (`adopt`).
    A card the bank declines never replaces the one the clinic had (nor becomes one)."""
    card, payment_method, details = _confirmed(
        patient=payment.patient, clinic=payment.clinic, setup_intent=setup_intent
    )
    card.trying = {
        "payment": payment.pk,
        "payment_method": payment_method,
        "brand": details.brand,
        "last4": details.last4,
        "exp_month": details.exp_month,
        "exp_year": details.exp_year,
    }
    card.save(update_fields=["trying"])
    return payment_method


def adopt(payment_id: int) -> None:
    """After a payment went through (`payments.on_succeeded`): the card it was tried with, if
    it was a new one, is now the card on file. Idempotent: the note is cleared once kept."""
    card = CardOnFile.objects.filter(trying__payment=payment_id).select_related("patient").first()
    if card is None:
        return
    tried = card.trying
    details = processor.Card(
        brand=tried.get("brand", ""),
        last4=tried.get("last4", ""),
        exp_month=tried.get("exp_month"),
        exp_year=tried.get("exp_year"),
    )
    _keep(card, tried["payment_method"], details)


def forget_tried(payment_id: int) -> None:
    """After a payment failed (`payments.on_failed`): the new card it was tried with is not
    kept; the card on file stays what it was."""
    CardOnFile.objects.filter(trying__payment=payment_id).update(trying={})


def erase_patient_data(*, patient: User, now: datetime) -> None:
    """Account deletion: forget the patient's cards (privacy.services.ERASED). Invoices,
    payments and refunds are financial records and stay (KEPT). The card itself stays at
    the processor until the clinic removes it there: it is the clinic's customer record."""
    CardOnFile.objects.filter(patient=patient).delete()
