"""Stored codes and amounts as a person reads them: "English, Somali", "Swedish massage",
"Bad night", "£75.00". Pages, the PDF and mail all go through these, so a code never shows.

Language names, currency and date formats come from Babel's copy of the Unicode CLDR
(offline), in the language being answered in (core.translation): "£75.00" and "5 Dec 2026" in
English, "75,00 £" and "5 dic 2026" in Spanish. Django's own ``LANG_INFO`` knows only the
languages Django is translated into (no Somali).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, get_decimal_symbol

from sciaticare.core.translation import gettext, gettext_noop, language

#: The CLDR locale each of the site's languages writes numbers, money and names in.
LOCALES = {"en": "en", "es": "es_ES"}

#: The pain diary's tags (outcomes.models.Tag), kept here as plain words so the PDF and mail,
#: which have no form, say the same as the diary page.
DIARY_TAGS = {
    "after_massage": gettext_noop("After massage"),
    "after_exercise": gettext_noop("After exercise"),
    "flare_up": gettext_noop("Flare-up"),
    "bad_night": gettext_noop("Bad night"),
}

#: How a day is written, by style and language (CLDR patterns): the English of the site is
#: British ("Sat 5 Dec"), the Spanish that of Spain. A Spanish weekday is written whole:
#: abbreviated, "mar" (Tuesday) and "sáb" read as words ("sea", ...).
DAY_STYLES = {
    "medium": {"en": "d MMM y", "es": "d MMM y"},  # 5 Dec 2026 · 5 dic 2026
    "long": {"en": "d MMMM y", "es": "d 'de' MMMM 'de' y"},  # 5 December 2026
    "full": {"en": "EEEE d MMMM y", "es": "EEEE, d 'de' MMMM 'de' y"},
    "weekday": {"en": "EEE d MMM", "es": "EEEE, d MMM"},  # Sat 5 Dec · sábado, 5 dic
    "weekday_long": {"en": "EEEE d MMMM", "es": "EEEE, d 'de' MMMM"},
    "weekday_year": {"en": "EEE d MMM y", "es": "EEEE, d MMM y"},
    "day_month": {"en": "d MMM", "es": "d MMM"},  # 5 Dec · 5 dic
    "numeric": {"en": "dd/MM/y", "es": "d/M/y"},  # 05/12/2026 · 5/12/2026
}


def locale() -> str:
    return LOCALES.get(language(), LOCALES["en"])


@lru_cache(maxsize=8)
def _parsed(locale: str) -> Locale:
    """Babel's locale object, parsed once: Babel parses a locale given by name on every call,
    which was most of the cost of writing a search result's reasons (docs/benchmarks.md)."""
    return Locale.parse(locale)


@lru_cache(maxsize=8)
def _language_table(locale: str) -> dict[str, str]:
    return dict(_parsed(locale).languages)


def language_name(code: str) -> str:
    """ "so" → "Somali"; an unknown code is shown as it is (upper case), never dropped."""
    code = code.strip().lower()
    return _language_table(locale()).get(code, code.upper())


def country_name(code: str, english: str) -> str:
    """A country's name in the language being answered in ("GB" → "Reino Unido"); in English,
    `english` as the caller's source spells it."""
    if language() == "en":
        return english
    return _parsed(locale()).territories.get(code.upper(), english)


def language_choices() -> list[tuple[str, str]]:
    """Every two-letter (ISO 639-1) language as (code, name), by name as a reader looks for it:
    accents and case aside ("árabe" among the a's, not after "zulú")."""
    table = _language_table(locale())
    return sorted(
        ((c, n) for c, n in table.items() if len(c) == 2), key=lambda pair: alphabetical(pair[1])
    )


def alphabetical(text: str) -> str:
    """A sort key that files "Ávila" under A and "córnico" before "croata"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def language_names(codes: Iterable[str] | str) -> str:
    """["en", "so"] or ",en,so," → "English, Somali"."""
    if isinstance(codes, str):
        codes = codes.split(",")
    return ", ".join(language_name(c) for c in codes if c.strip())


def diary_tag(code: str) -> str:
    return gettext(DIARY_TAGS[code]) if code in DIARY_TAGS else code.replace("_", " ").capitalize()


def money(amount: Decimal | float | int | str | None, currency: str = "GBP") -> str:
    """Decimal major units and an ISO 4217 code → "£75.00", "€55.00", "US$60.00" in English,
    "75,00 £", "55,00 €", "60,00 US$" in Spanish."""
    if amount is None or amount == "":
        return ""
    return format_currency(Decimal(str(amount)), currency.upper(), locale=_parsed(locale()))


def decimal(value: float, digits: int = 1) -> str:
    """A number with `digits` decimals as the language writes it: "2.5" in English, "2,5" in
    Spanish (rounded as Python's format rounds, so English reads as it always has)."""
    return f"{value:.{digits}f}".replace(".", get_decimal_symbol(_parsed(locale())))


def day(value: date | datetime | None, style: str = "medium") -> str:
    """A day as the language writes it; a datetime must already be on the reader's clock."""
    if value is None or value == "":
        return ""
    patterns = DAY_STYLES[style]
    return format_date(value, patterns.get(language(), patterns["en"]), locale=_parsed(locale()))


def clock(value: datetime | time | None) -> str:
    """A time of day, 24-hour in both languages: "09:30"."""
    if value is None or value == "":
        return ""
    return format_time(value, "HH:mm", locale=_parsed(locale()))
