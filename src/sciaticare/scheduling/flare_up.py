"""Which slot a flare-up books across a patient's plan. Pure, no Django.

The preferred therapist wins when their earliest slot is no more than `tolerance` later than
the earliest backup's; otherwise the earliest backup wins (a flare-up is about relief soon,
but continuity with the preferred therapist is worth a short wait).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sciaticare.core.translation import gettext, ngettext

DEFAULT_TOLERANCE = timedelta(days=2)


@dataclass(frozen=True)
class PlanOption:
    rank: int  # 0 = preferred, 1..3 = backups
    therapist_id: int
    earliest: datetime | None


def choose(
    options: Sequence[PlanOption], tolerance: timedelta = DEFAULT_TOLERANCE
) -> PlanOption | None:
    available = [o for o in options if o.earliest is not None]
    if not available:
        return None
    preferred = min(available, key=lambda o: o.rank)
    soonest = min(available, key=lambda o: (o.earliest, o.rank))
    if preferred.rank == 0 and preferred.earliest <= soonest.earliest + tolerance:  # type: ignore[operator]
        return preferred
    return soonest


def soonest(options: Sequence[PlanOption]) -> PlanOption | None:
    """The earliest slot across the plan, whoever it is with (ties: the higher rank)."""
    available = [o for o in options if o.earliest is not None]
    return min(available, key=lambda o: (o.earliest, o.rank)) if available else None


def later_by(chosen: date, earliest: date) -> str:
    """How much later the chosen session is than the earliest, in local calendar days, for
    "your preferred therapist, 1 day later" (in the language being answered in)."""
    days = (chosen - earliest).days
    if days <= 0:
        return gettext("later the same day")
    return ngettext("%(days)s day later", "%(days)s days later", days) % {"days": days}
