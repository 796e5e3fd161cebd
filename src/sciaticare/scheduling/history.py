"""An appointment's history in words, pure: each kind of change the services record
(`booking.record_change`, `holds.release_hold`) as the appointment page says it ("marked not
attended by Daniel Reyes"). The codes stay in the database, the audit log and the API.
`tests/scheduling/test_history_words.py` finds every kind written anywhere in src/ and checks
that it has words here."""

from __future__ import annotations

import re
import time
from datetime import date

from sciaticare.core.display import day
from sciaticare.core.translation import gettext, gettext_noop

#: The words are English, marked for translation; ``change_words`` says them in the language
#: being answered in.
CHANGE_WORDS = {
    "booked": gettext_noop("booked"),
    "cancelled": gettext_noop("cancelled"),
    "late_cancelled": gettext_noop("cancelled late, inside the cancellation window"),
    "rescheduled": gettext_noop("moved"),
    "completed": gettext_noop("marked attended"),
    "no_show": gettext_noop("marked not attended"),
    "held": gettext_noop("held for a waitlist offer"),
    "offer_declined": gettext_noop("released: the waitlist offer was declined"),
    "offer_expired": gettext_noop("released: the waitlist offer ran out"),
    "held_for_deposit": gettext_noop("held while the deposit is paid"),
    "deposit_failed": gettext_noop("released: the deposit payment failed"),
    "hold_expired": gettext_noop("released: the time to pay the deposit ran out"),
    "hold_replaced": gettext_noop("released: another time was booked instead"),
    "deposit_released": gettext_noop("released by the patient before paying the deposit"),
}


def change_words(kind: str) -> str:
    """The words for a kind of change; an unknown code (never, by the test) reads as words."""
    return gettext(CHANGE_WORDS[kind]) if kind in CHANGE_WORDS else kind.replace("_", " ")


#: The notes the services write on a change (the rest are what a person typed, e.g. a
#: cancellation's reason). They are stored in English and said in the reader's language.
TRIAGE_CANCEL_REASON = gettext_noop("The client's intake says to see a doctor before massage.")
ACCEPTED_OFFER = gettext_noop("accepted a waitlist offer")
ACCEPTED_OFFER_FOR_DEPOSIT = gettext_noop("accepted a waitlist offer; until the deposit is paid")
UNTIL_DEPOSIT_PAID = gettext_noop("until the deposit is paid")
DEPOSIT_PAID = gettext_noop("the deposit is paid")
SERVICE_NOTES = frozenset(
    {
        TRIAGE_CANCEL_REASON,
        ACCEPTED_OFFER,
        ACCEPTED_OFFER_FOR_DEPOSIT,
        UNTIL_DEPOSIT_PAID,
        DEPOSIT_PAID,
    }
)

# "to Sat 5 Dec 2026, 15:00 GMT" and "moved from …" (changes.py), "offered to waitlist entry
# 12 until 2026-12-05T14:00:00+00:00" (waitlist.py).
_MOVED = re.compile(r"^(to|moved from) (\w{3} \d{1,2} \w{3} \d{4}), (\d{2}:\d{2}) (\S+)$")
_OFFERED = re.compile(r"^offered to waitlist entry (\d+) until (\S+)$")


def note_words(note: str) -> str:
    """A change's note in the language being answered in: a note the services wrote, in its
    translation (a move's times in the reader's words); what a person typed, as typed."""
    if note in SERVICE_NOTES:
        return gettext(note)
    moved = _MOVED.match(note)
    if moved:
        try:
            parsed = time.strptime(moved[2], "%a %d %b %Y")
            when = date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
        except ValueError:
            return note
        words = {"day": day(when, "weekday_year"), "time": moved[3], "zone": moved[4]}
        if moved[1] == "to":
            return gettext("to %(day)s, %(time)s %(zone)s") % words
        return gettext("moved from %(day)s, %(time)s %(zone)s") % words
    offered = _OFFERED.match(note)
    if offered:
        return gettext("offered to waitlist entry %(entry)s until %(until)s") % {
            "entry": offered[1],
            "until": offered[2],
        }
    return note
