"""An appointment's history in words, pure: each kind of change the services record
(`booking.record_change`, `holds.release_hold`) as the appointment page says it ("marked not
attended by Daniel Reyes"). The codes stay in the database, the audit log and the API.
`tests/scheduling/test_history_words.py` finds every kind written anywhere in src/ and checks
that it has words here."""

from __future__ import annotations

CHANGE_WORDS = {
    "booked": "booked",
    "cancelled": "cancelled",
    "late_cancelled": "cancelled late, inside the cancellation window",
    "rescheduled": "moved",
    "completed": "marked attended",
    "no_show": "marked not attended",
    "held": "held for a waitlist offer",
    "offer_declined": "released: the waitlist offer was declined",
    "offer_expired": "released: the waitlist offer ran out",
    "held_for_deposit": "held while the deposit is paid",
    "deposit_failed": "released: the deposit payment failed",
    "hold_expired": "released: the time to pay the deposit ran out",
    "hold_replaced": "released: another time was booked instead",
    "deposit_released": "released by the patient before paying the deposit",
}


def change_words(kind: str) -> str:
    """The words for a kind of change; an unknown code (never, by the test) reads as words."""
    return CHANGE_WORDS.get(kind, kind.replace("_", " "))
