"""Template filters that show codes, amounts and days in words, in the page's language:
``{% load display %}``."""

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django import template

from sciaticare.core import display
from sciaticare.directory.ranking import modality_name

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "GBP") -> str:
    """``{{ session.price|money:session.currency }}`` → "£75.00"."""
    return display.money(amount, currency or "GBP")


@register.filter(expects_localtime=True)
def day(value: date | datetime | None, style: str = "medium") -> str:
    """``{{ appointment.start|day:"weekday_long" }}`` → "Saturday 5 December", "sábado, 5 de
    diciembre" (styles: core.display.DAY_STYLES); on the clock of the page's time zone."""
    return display.day(value, style)


@register.filter(expects_localtime=True)
def clock(value: datetime | time | None) -> str:
    """``{{ appointment.start|clock }}`` → "09:30"."""
    return display.clock(value)


@register.filter
def language_names(codes: Iterable[str] | str) -> str:
    return display.language_names(codes)


@register.filter
def modality_names(codes: Iterable[str]) -> str:
    """``{{ note.techniques|modality_names }}`` → "Swedish massage, Sports massage", in the
    page's language."""
    return ", ".join(modality_name(c) for c in codes)


@register.filter
def diary_tag(code: str) -> str:
    return display.diary_tag(code)
