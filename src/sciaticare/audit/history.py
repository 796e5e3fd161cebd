"""A patient's access history, one line per visit (pure: no Django).

The audit log keeps every event (each autosave is one); a person reading who opened their
records wants the visits. Events of the same person, on the same object, of the same kind
(``actions.kind_of``) with gaps under ``SITTING_GAP`` make one visit: "edited your session note,
10:02–10:04 (12 saves)". The log itself is never changed; only its presentation groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sciaticare.audit import actions
from sciaticare.core.translation import ngettext

SITTING_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class Event:
    """One audit row, as plain values."""

    at: datetime
    actor_id: int | None
    actor: str
    action: str
    object_key: str
    reason: str = ""


@dataclass
class Visit:
    """Consecutive events of one sitting."""

    first: datetime
    last: datetime
    actor: str
    kind: str
    count: int = 1
    reasons: list[str] = field(default_factory=list)

    @property
    def words(self) -> str:
        return actions.words_for(self.kind)

    @property
    def times(self) -> str:
        """How many events, when more than one: "12 saves", "3 times"."""
        if self.count == 1:
            return ""
        if self.kind in actions.EDITS:
            return ngettext("%(count)s save", "%(count)s saves", self.count) % {"count": self.count}
        return ngettext("%(count)s time", "%(count)s times", self.count) % {"count": self.count}

    @property
    def same_day(self) -> bool:
        return self.first.date() == self.last.date()


def visits(events: Iterable[Event], *, gap: timedelta = SITTING_GAP) -> list[Visit]:
    """The visits the events make, the latest first."""
    open_visits: dict[tuple[int | None, str, str], Visit] = {}
    found: list[Visit] = []
    for event in sorted(events, key=lambda e: e.at):
        kind = actions.kind_of(event.action)
        key = (event.actor_id, event.object_key, kind)
        visit = open_visits.get(key)
        if visit is not None and event.at - visit.last < gap:
            visit.last = event.at
            visit.count += 1
        else:
            visit = Visit(first=event.at, last=event.at, actor=event.actor, kind=kind)
            open_visits[key] = visit
            found.append(visit)
        if event.reason and event.reason not in visit.reasons:
            visit.reasons.append(event.reason)
    return sorted(found, key=lambda v: v.last, reverse=True)
