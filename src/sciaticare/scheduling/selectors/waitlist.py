"""Reads of the waitlist for its pages: a patient's entries and offers, 404 alike when missing
or someone else's."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.scheduling.models import AppointmentStatus, SlotOffer, WaitlistEntry

OfferState = Literal["open", "accepted", "expired", "closed"]

_OFFER_RELATED = (
    "entry",
    "appointment__therapist__user",
    "appointment__location__clinic",
    "appointment__session_type",
)


def entries_of(*, patient: User) -> QuerySet[WaitlistEntry]:
    """The patient's entries, newest first, with the therapist named (one query)."""
    return (
        WaitlistEntry.objects.filter(patient=patient)
        .select_related("therapist__user")
        .order_by("-created_at", "-pk")
    )


def entry_for(*, patient: User, entry_id: int) -> WaitlistEntry:
    found = entries_of(patient=patient).filter(pk=entry_id).first()
    if found is None:
        raise NotFound("waitlist entry")
    return found


def open_offers_of(*, patient: User, now: datetime) -> QuerySet[SlotOffer]:
    """Offers still holding a slot for the patient (one query)."""
    return (
        SlotOffer.objects.filter(
            entry__patient=patient,
            accepted_at__isnull=True,
            expires_at__gt=now,
            appointment__status=AppointmentStatus.HELD,
        )
        .select_related(*_OFFER_RELATED)
        .order_by("expires_at", "pk")
    )


def offer_for(*, patient: User, offer_id: int) -> SlotOffer:
    found = (
        SlotOffer.objects.filter(pk=offer_id, entry__patient=patient)
        .select_related(*_OFFER_RELATED)
        .first()
    )
    if found is None:
        raise NotFound("offer")
    return found


def offer_state(offer: SlotOffer, *, now: datetime) -> OfferState:
    """Open while the slot is held and the hold has time left; else why it is not."""
    if offer.accepted_at is not None:
        return "accepted"
    if offer.expires_at <= now:
        return "expired"
    if offer.appointment.status != AppointmentStatus.HELD:
        return "closed"
    return "open"
