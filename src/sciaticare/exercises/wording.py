"""What the morning exercise reminder says: the mail lists the day's exercises with their dose;
a text message and a notification say only how many are left and link to the programme, since
a lock screen shows them to whoever holds the phone (reminders/wording.py: no health data, and
an exercise's name can say what the person is treated for). Rendered under the person's
language (``reminders.services.delivery.deliver`` does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sciaticare.reminders.wording import Message


@dataclass(frozen=True)
class Dose:
    """One exercise of the day as the mail lists it."""

    name: str
    timed: bool
    repetitions: int
    sets: int
    minutes: int
    times_per_day: int


def dose_text(dose: Dose) -> str:
    """ "20 minutes", "2 sets of 10", "1 set of 10, 2 times a day"."""
    if dose.timed or not dose.repetitions:
        amount = ngettext("%(count)s minute", "%(count)s minutes", dose.minutes) % {
            "count": dose.minutes
        }
    else:
        amount = ngettext(
            "%(count)s set of %(repetitions)s", "%(count)s sets of %(repetitions)s", dose.sets
        ) % {"count": dose.sets, "repetitions": dose.repetitions}
    if dose.times_per_day > 1:
        amount = _("%(amount)s, %(count)s times a day") % {
            "amount": amount,
            "count": dose.times_per_day,
        }
    return amount


def exercise_reminder(
    *, first_name: str, doses: Sequence[Dose], url: str, settings_url: str, check_url: str
) -> Message:
    """The morning reminder of the exercises planned today and not yet ticked."""
    hello = _("Hello %(name)s,") % {"name": first_name} if first_name else _("Hello,")
    lines = "\n".join(f"- {dose.name}: {dose_text(dose)}" for dose in doses)
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
