"""Template filters that show codes and amounts in words: ``{% load display %}``."""

from collections.abc import Iterable
from decimal import Decimal

from django import template

from sciaticare.core import display
from sciaticare.directory.ranking import MODALITIES

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "GBP") -> str:
    """``{{ session.price|money:session.currency }}`` → "£75.00"."""
    return display.money(amount, currency or "GBP")


@register.filter
def language_names(codes: Iterable[str] | str) -> str:
    return display.language_names(codes)


@register.filter
def modality_names(codes: Iterable[str]) -> str:
    return ", ".join(MODALITIES.get(c, c.replace("_", " ")) for c in codes)


@register.filter
def diary_tag(code: str) -> str:
    return display.diary_tag(code)
