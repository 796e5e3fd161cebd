"""Background work of the waitlist, through Django's Tasks API (mail tasks live in
notifications.py).

A freed slot is offered from a task, not inside the request that freed it, so a cancellation
never waits on (or fails because of) the waitlist. ``expire_offers`` must run every few
minutes; nothing in the Tasks API repeats a task by itself, so the machine's scheduler runs
``manage.py expire_offers`` (docs/deploy.md).
"""

from __future__ import annotations

from django.tasks import task

from sciaticare.scheduling.models import Appointment
from sciaticare.scheduling.services import changes, holds, waitlist


@task
def expire_offers_task() -> int:
    """Release holds past their time and offer each slot to the next in line; returns how
    many expired."""
    return waitlist.expire_offers()


@task
def offer_freed_slot_task(appointment_id: int) -> int | None:
    """Offer the slot of a cancelled, moved or released appointment; returns the offer id."""
    offer = waitlist.offer_freed_slot(appointment_id=appointment_id)
    return offer.pk if offer is not None else None


@task
def reoffer_unpaid_task(appointment_id: int) -> None:
    """An accepted offer's deposit was not paid: its patient waits again, the slot goes on."""
    waitlist.reoffer_unpaid(appointment_id)


# --- Hooks: called after the freeing transaction commits ---------------------------------------


def offer_slot_later(appointment_id: int) -> None:
    offer_freed_slot_task.enqueue(appointment_id)


def offer_old_slot_later(new_appointment_id: int) -> None:
    """After a reschedule the hook gets the new appointment; the old one's time is free."""
    old_id = (
        Appointment.objects.filter(pk=new_appointment_id)
        .values_list("rescheduled_from_id", flat=True)
        .first()
    )
    if old_id is not None:
        offer_freed_slot_task.enqueue(old_id)


def reoffer_unpaid_later(appointment_id: int) -> None:
    reoffer_unpaid_task.enqueue(appointment_id)


def connect() -> None:
    """Register the waitlist hooks with the services (from SchedulingConfig.ready; idempotent)."""
    for hooks, hook in (
        (changes.on_cancelled, offer_slot_later),
        (changes.on_rescheduled, offer_old_slot_later),
        (waitlist.on_slot_freed, offer_slot_later),
        (holds.on_unpaid_released, reoffer_unpaid_later),
    ):
        if hook not in hooks:
            hooks.append(hook)
