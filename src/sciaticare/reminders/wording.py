"""What each reminder says in a text message and a notification, and the evening diary nudge's
mail: short, in the person's language (the caller renders under their language:
`services.delivery.deliver` does), and never health data — no diagnosis, no triage, no pain
score — since a phone's lock screen shows them to whoever holds it.

A session's mail (reminder, waitlist offer) is scheduling's own template; its text message and
notification come from here, so that their length and what they leave out are decided in one
place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

#: A notification's title: the app, nothing more.
TITLE = "Sciaticare"


@dataclass(frozen=True)
class Message:
    """One reminder in every form a channel needs."""

    subject: str  # the mail's subject
    body: str  # the mail, plain text
    text: str  # a text message and a notification: a sentence or two, no health data
    url: str  # absolute; a text message ends with it, a notification opens it

    def sms(self) -> str:
        return f"{TITLE}: {self.text} {self.url}"


def when(moment: datetime) -> str:
    """A wall-clock time as people read it in the active language: "Wednesday 1 July, 10:00";
    "miércoles 1 de julio, 10:00"."""
    # Translators: a date format (Django's "date" filter), e.g. Wednesday 1 July, 10:00.
    return date_format(moment, pgettext("reminder date", "l j F, H:i"))


def appointment_text(
    *, therapist: str, start: datetime, zone: str, intake_to_finish: bool = False
) -> str:
    """`start` on the session's own clock, with its zone named; with `intake_to_finish` (a
    patient who booked first), the ask to finish the intake, whose page the link opens."""
    text = _("Reminder: your massage with %(therapist)s is on %(when)s (%(zone)s time).") % {
        "therapist": therapist,
        "when": when(start),
        "zone": zone,
    }
    if intake_to_finish:
        text += " " + _("Please finish your intake before then:")
    return text


def offer_text(*, therapist: str, start: datetime, until: datetime, zone: str) -> str:
    """A freed time held for the person: when it is, and until when it is held (both on the
    session's clock)."""
    return _(
        "A time has opened with %(therapist)s: %(when)s (%(zone)s time). It is held for you "
        "until %(until)s."
    ) % {"therapist": therapist, "when": when(start), "zone": zone, "until": when(until)}


def diary_nudge(*, first_name: str, url: str) -> Message:
    """The evening nudge of a patient who asked for it."""
    hello = _("Hello %(name)s,") % {"name": first_name} if first_name else _("Hello,")
    body = "\n\n".join(
        [
            hello,
            _("Two taps log today's back and leg pain: %(url)s") % {"url": url},
            _(
                "You asked for this daily reminder; switch it off on the same page, or choose how it reaches you in your reminder settings."
            ),
        ]
    )
    return Message(
        subject=_("How is your pain today?"),
        body=body + "\n",
        text=_("Time for today's diary entry: two taps log it."),
        url=url,
    )


def other_reply() -> str:
    return _("Sciaticare: replies to this number are not read. Reply STOP to stop text messages.")
