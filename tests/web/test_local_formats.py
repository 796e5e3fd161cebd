"""Days, times, money and language names as each language writes them (core.display), and the
pure modules' words translated through core.translation."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from sciaticare.core import display
from sciaticare.core import translation as words

SATURDAY = datetime(2026, 12, 5, 9, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("style", "english", "spanish"),
    [
        ("medium", "5 Dec 2026", "5 dic 2026"),
        ("long", "5 December 2026", "5 de diciembre de 2026"),
        ("full", "Saturday 5 December 2026", "sábado, 5 de diciembre de 2026"),
        ("weekday", "Sat 5 Dec", "sábado, 5 dic"),
        ("weekday_long", "Saturday 5 December", "sábado, 5 de diciembre"),
        ("weekday_year", "Sat 5 Dec 2026", "sábado, 5 dic 2026"),
        ("day_month", "5 Dec", "5 dic"),
        ("numeric", "05/12/2026", "5/12/2026"),
    ],
)
def test_a_day_in_each_language(style, english, spanish):
    with translation.override("en"):
        assert display.day(SATURDAY, style) == english
    with translation.override("es"):
        assert display.day(SATURDAY, style) == spanish


@pytest.mark.parametrize(
    ("amount", "currency", "english", "spanish"),
    [
        (Decimal("75"), "GBP", "£75.00", "75,00\xa0GBP"),
        (Decimal("55.5"), "EUR", "€55.50", "55,50\xa0€"),
        (Decimal("1234.5"), "EUR", "€1,234.50", "1.234,50\xa0€"),
        (Decimal("60"), "USD", "$60.00", "60,00\xa0US$"),
        (Decimal("0"), "JPY", "¥0", "0\xa0JPY"),
    ],
)
def test_money_in_each_language(amount, currency, english, spanish):
    with translation.override("en"):
        assert display.money(amount, currency) == english
    with translation.override("es"):
        assert display.money(amount, currency) == spanish


def test_times_are_24_hour_in_both_and_names_are_in_the_reader_language():
    for language in ("en", "es"):
        with translation.override(language):
            assert display.clock(SATURDAY) == "09:30"
    with translation.override("es"):
        assert display.language_names(["en", "so"]) == "inglés, somalí"
        assert display.diary_tag("bad_night") == "Mala noche"


def test_the_filters_show_the_day_on_the_pages_clock():
    page = Template('{% load display %}{{ when|day:"weekday_long" }}, {{ when|clock }}')
    moment = datetime(2026, 12, 5, 23, 30, tzinfo=ZoneInfo("UTC"))
    with translation.override("es"), timezone.override("Europe/Madrid"):
        assert page.render(Context({"when": moment})) == "domingo, 6 de diciembre, 00:30"


def test_pure_modules_translate_through_the_seam_once_django_has_started():
    with translation.override("es"):
        assert words.gettext("After massage") == "Después del masaje"
        assert words.language() == "es"
    with translation.override("en"):
        assert words.gettext("After massage") == "After massage"
    assert words.gettext_noop("Bad night") == "Bad night"


def test_languages_are_listed_as_a_reader_looks_for_them_accents_aside():
    with translation.override("es"):
        names = [name for _code, name in display.language_choices()]
    assert names.index("árabe") < names.index("armenio") < names.index("zulú")
    assert names.index("córnico") < names.index("croata")
    assert names == sorted(names, key=display.alphabetical)
