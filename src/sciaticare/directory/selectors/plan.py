"""The patient's flare-up plan: a preferred therapist and up to three backups."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Prefetch

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.core.errors import NotFound
from sciaticare.directory.models import FlareUpPlanEntry, SessionType
from sciaticare.directory.selectors.profile import bookable


def flare_up_plan(
    *, viewer: User, patient: User, with_prices: bool = True
) -> list[FlareUpPlanEntry]:
    """A patient's plan, preferred first. Anyone but the patient reading it is audited.

    Only the patient and site admins may read a plan; for anyone else it does not exist.
    ``with_prices=False`` skips each therapist's standard sessions (``standard_sessions``),
    which the dashboard's card does not show: one query fewer (issue 7). Each entry says
    whether its therapist can still be booked (``therapist_bookable``, the one rule of
    ``bookable``): a deactivated therapist stays in the plan until the patient removes them,
    marked, since a flare-up skips them.
    """
    if viewer.pk != patient.pk:
        if not viewer.has_role(Role.SITE_ADMIN):
            raise NotFound("flare-up plan")
        record_event(actor=viewer, action="directory.flare_up_plan.view", patient=patient)
    entries = (
        FlareUpPlanEntry.objects.filter(patient=patient)
        .select_related("therapist__user")
        .annotate(
            therapist_bookable=ExpressionWrapper(
                bookable("therapist__"), output_field=BooleanField()
            )
        )
    )
    if with_prices:
        entries = entries.prefetch_related(
            Prefetch(
                "therapist__session_types",
                queryset=SessionType.objects.filter(is_standard=True),
                to_attr="standard_sessions",
            )
        )
    return list(entries.order_by("rank"))


def plan_therapist_ids(*, patient: User) -> set[int]:
    if not patient.is_authenticated:
        return set()
    return set(
        FlareUpPlanEntry.objects.filter(patient=patient).values_list("therapist_id", flat=True)
    )
