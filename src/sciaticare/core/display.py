"""Stored codes and amounts as a person reads them: "English, Somali", "Swedish massage",
"Bad night", "£75.00". Pages, the PDF and mail all go through these, so a code never shows.

Language names and currency formats come from Babel's copy of the Unicode CLDR (offline);
Django's own ``LANG_INFO`` knows only the languages Django is translated into (no Somali).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency

#: The language money and language names are written in until the site is translated.
_LOCALE = "en"

#: The pain diary's tags (outcomes.models.Tag), kept here as plain words so the PDF and mail,
#: which have no form, say the same as the diary page.
DIARY_TAGS = {
    "after_massage": "After massage",
    "after_exercise": "After exercise",
    "flare_up": "Flare-up",
    "bad_night": "Bad night",
}


@lru_cache(maxsize=1)
def _language_table() -> dict[str, str]:
    return dict(Locale.parse(_LOCALE).languages)


def language_name(code: str) -> str:
    """ "so" → "Somali"; an unknown code is shown as it is (upper case), never dropped."""
    code = code.strip().lower()
    return _language_table().get(code, code.upper())


def language_choices() -> list[tuple[str, str]]:
    """Every two-letter (ISO 639-1) language as (code, name), by name."""
    table = _language_table()
    return sorted(((c, n) for c, n in table.items() if len(c) == 2), key=lambda p: p[1])


def language_names(codes: Iterable[str] | str) -> str:
    """["en", "so"] or ",en,so," → "English, Somali"."""
    if isinstance(codes, str):
        codes = codes.split(",")
    return ", ".join(language_name(c) for c in codes if c.strip())


def diary_tag(code: str) -> str:
    return DIARY_TAGS.get(code, code.replace("_", " ").capitalize())


def money(amount: Decimal | float | int | str | None, currency: str = "GBP") -> str:
    """Decimal major units and an ISO 4217 code → "£75.00", "€55.00", "$60.00"."""
    if amount is None or amount == "":
        return ""
    return format_currency(Decimal(str(amount)), currency.upper(), locale=_LOCALE)
