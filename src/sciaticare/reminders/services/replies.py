"""Replies to our text messages: STOP and its synonyms turn texts off for the number that sent
it, START turns them on again (the keywords carriers and Twilio use). Anything else changes
nothing."""

from __future__ import annotations

from enum import StrEnum

from django.utils import timezone

from sciaticare.accounts.phones import is_e164
from sciaticare.reminders.models import SmsOptOut

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})


class Reply(StrEnum):
    STOPPED = "stopped"
    STARTED = "started"
    OTHER = "other"


def keyword(body: str) -> str:
    """The reply as a keyword: trimmed, upper case, without end punctuation ("Stop." → STOP)."""
    return body.strip().strip(".!?¡¿ ").upper()


def opt_out(*, phone: str) -> None:
    """No more texts to this number until it replies START."""
    SmsOptOut.objects.get_or_create(phone=phone, defaults={"opted_out_at": timezone.now()})


def opt_in(*, phone: str) -> None:
    SmsOptOut.objects.filter(phone=phone).delete()


def answer_reply(*, phone: str, body: str) -> Reply:
    """Act on a reply from `phone` (E.164, as the provider gives it): STOP or START, or nothing.
    A sender that is not a phone number in E.164 changes nothing."""
    word = keyword(body)
    if not is_e164(phone):
        return Reply.OTHER
    if word in STOP_WORDS:
        opt_out(phone=phone)
        return Reply.STOPPED
    if word in START_WORDS:
        opt_in(phone=phone)
        return Reply.STARTED
    return Reply.OTHER
