"""What the morning exercise reminder says: the mail lists the day's exercises with their dose;
a text message and a notification say only how many are left and link to the programme, since
a lock screen shows them to whoever holds the phone (reminders/wording.py: no health data, and
an exercise's name can say what the person is treated for). Rendered under the person's
language (``reminders.services.delivery.deliver`` does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sciaticare.reminders.wording import Message


@dataclass(frozen=True)
class Dose:
    """One exercise of the day as the mail lists it."""

    #: A built-in's name is the library's English words, translated here under the person's
    #: language; a clinic's or patient's own is shown as written.
    name: str
    built_in: bool
    repetitions: int
    sets: int
    minutes: int
    times_per_day: int


class Dosed(Protocol):
    """A plan item, its values (changes.ItemValues), or a reminder's Dose."""

    @property
    def repetitions(self) -> int: ...

    @property
    def sets(self) -> int: ...

    @property
    def minutes(self) -> int: ...

    @property
    def times_per_day(self) -> int: ...


def times_a_day(count: int) -> str:
    if count == 1:
        return _("once a day")
    if count == 2:
        return _("twice a day")
    return ngettext("%(count)s time a day", "%(count)s times a day", count) % {"count": count}


def amount_text(dose: Dosed) -> str:
    """ "15 minutes", "10 repetitions" or "10 repetitions, 2 sets"."""
    if dose.minutes:
        return ngettext("%(count)s minute", "%(count)s minutes", dose.minutes) % {
            "count": dose.minutes
        }
    amount = ngettext("%(count)s repetition", "%(count)s repetitions", dose.repetitions) % {
        "count": dose.repetitions
    }
    if dose.sets > 1:
        sets = ngettext("%(count)s set", "%(count)s sets", dose.sets) % {"count": dose.sets}
        amount = f"{amount}, {sets}"
    return amount


def dose_text(dose: Dosed) -> str:
    """ "15 minutes, once a day" or "10 repetitions, 2 sets, twice a day": how the pages, the
    doctor's PDF and the reminder all say a dose."""
    return _("%(amount)s, %(often)s") % {
        "amount": amount_text(dose),
        "often": times_a_day(dose.times_per_day),
    }


def exercise_reminder(
    *, first_name: str, doses: Sequence[Dose], url: str, settings_url: str, check_url: str
) -> Message:
    """The morning reminder of the exercises planned today and not yet ticked."""
    hello = _("Hello %(name)s,") % {"name": first_name} if first_name else _("Hello,")
    lines = "\n".join(
        f"- {_(dose.name) if dose.built_in else dose.name}: {dose_text(dose)}" for dose in doses
    )
    body = "\n\n".join(
        [
            hello,
            _("Planned for today in your home programme, and not ticked yet:"),
            lines,
            _("Tick each one when it is done: %(url)s") % {"url": url},
            _(
                "Stop an exercise and tell your therapist if leg pain spreads further down the "
                "leg, or numbness or weakness appears. New symptoms: take the symptom check, "
                "%(url)s"
            )
            % {"url": check_url},
            _(
                "You get this reminder in the morning while you have a home exercise programme. "
                "Choose how it reaches you, or switch it off, in your reminder settings: %(url)s"
            )
            % {"url": settings_url},
        ]
    )
    count = len(doses)
    return Message(
        subject=_("Your home exercises for today"),
        body=body + "\n",
        text=ngettext(
            "Today's home exercises: %(count)s still to do.",
            "Today's home exercises: %(count)s still to do.",
            count,
        )
        % {"count": count},
        url=url,
    )
