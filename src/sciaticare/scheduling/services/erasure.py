"""Scheduling's part of erasing a deleted account (registered with privacy in
``SchedulingConfig.ready``; the policy is ``privacy.services.ERASED``)."""

from __future__ import annotations

from datetime import datetime

from sciaticare.accounts.models import User
from sciaticare.scheduling.models import (
    Appointment,
    AppointmentStatus,
    CalendarFeed,
    SlotOffer,
    WaitlistEntry,
)
from sciaticare.scheduling.services import changes, waitlist


def erase_patient_data(*, patient: User, now: datetime) -> None:
    """Cancel booked sessions still to come (the therapist is told, the slot freed), give back
    slots held for the person's waitlist offers, then delete their waitlist places and calendar
    feed. Appointments themselves are kept clinical records. Caller: inside its transaction."""
    for appointment_id in Appointment.objects.filter(
        patient=patient, status=AppointmentStatus.BOOKED, start__gt=now
    ).values_list("pk", flat=True):
        changes.cancel_appointment(
            user=patient, appointment_id=appointment_id, reason="account deleted", now=now
        )
    for offer_id in SlotOffer.objects.filter(
        entry__patient=patient,
        accepted_at__isnull=True,
        appointment__status=AppointmentStatus.HELD,
    ).values_list("pk", flat=True):
        waitlist.decline_offer(patient=patient, offer_id=offer_id)
    CalendarFeed.objects.filter(owner=patient).delete()
    WaitlistEntry.objects.filter(patient=patient).delete()
