"""The patient's flare-up plan: add, remove and reorder, rewritten in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sciaticare.accounts.models import Role, User
from sciaticare.core.errors import Conflict, Invalid, NotFound
from sciaticare.directory.models import (
    PLAN_SIZE,
    FlareUpPlanEntry,
    TherapistProfile,
)
from sciaticare.directory.services.checks import NotAllowed


def _plan(patient: User) -> list[FlareUpPlanEntry]:
    return list(
        FlareUpPlanEntry.objects.select_for_update().filter(patient=patient).order_by("rank")
    )


def _rewrite_plan(patient: User, entries: list[FlareUpPlanEntry]) -> None:
    # Ranks are unique per patient, so a reorder rewrites the rows rather than swapping in place
    # (SQLite has no deferrable unique constraints).
    FlareUpPlanEntry.objects.filter(patient=patient).delete()
    FlareUpPlanEntry.objects.bulk_create(
        FlareUpPlanEntry(
            patient=patient, therapist_id=entry.therapist_id, rank=rank, added_at=entry.added_at
        )
        for rank, entry in enumerate(entries)
    )


def add_to_plan(*, patient: User, therapist: TherapistProfile) -> FlareUpPlanEntry:
    """Put a listed therapist in the patient's plan: preferred if it is empty, else a backup."""
    if not patient.has_role(Role.PATIENT):
        raise NotAllowed("not_a_patient", _("Only patients keep a flare-up plan."))
    if therapist.user_id == patient.pk:
        raise Invalid("own_profile", _("You cannot add yourself to your own plan."))
    if not therapist.licence_valid_on(timezone.localdate()):
        raise Invalid(
            "not_verified",
            _("Only therapists with a verified licence can be in a flare-up plan."),
        )
    with transaction.atomic():
        entries = _plan(patient)
        if any(entry.therapist_id == therapist.pk for entry in entries):
            raise Conflict(
                "already_in_plan",
                _("%(name)s is already in your plan.") % {"name": therapist.name},
            )
        if len(entries) >= PLAN_SIZE:
            raise Conflict(
                "plan_full",
                _(
                    "Your plan already has a preferred therapist and three backups; remove one first."
                ),
            )
        return FlareUpPlanEntry.objects.create(
            patient=patient, therapist=therapist, rank=len(entries)
        )


def remove_from_plan(*, patient: User, therapist_id: int) -> None:
    """Take a therapist out of the plan; the ones after move up (a backup may become preferred)."""
    with transaction.atomic():
        entries = _plan(patient)
        kept = [entry for entry in entries if entry.therapist_id != therapist_id]
        if len(kept) == len(entries):
            raise NotFound("therapist in your plan")
        _rewrite_plan(patient, kept)


def reorder_plan(*, patient: User, therapist_ids: Sequence[int]) -> None:
    """Put the plan in this order (first is preferred); the ids must be exactly the plan's."""
    with transaction.atomic():
        entries = _plan(patient)
        by_therapist = {entry.therapist_id: entry for entry in entries}
        if sorted(therapist_ids) != sorted(by_therapist):
            raise Invalid(
                "plan_changed",
                _("Your plan changed in the meantime; reload the page and try again."),
            )
        _rewrite_plan(patient, [by_therapist[pk] for pk in therapist_ids])


def move_in_plan(*, patient: User, therapist_id: int, up: bool) -> None:
    """Move one therapist a place up (towards preferred) or down; at an end, nothing changes."""
    with transaction.atomic():
        order = [entry.therapist_id for entry in _plan(patient)]
        if therapist_id not in order:
            raise NotFound("therapist in your plan")
        i = order.index(therapist_id)
        j = i - 1 if up else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
            reorder_plan(patient=patient, therapist_ids=order)
