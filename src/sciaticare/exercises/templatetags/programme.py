"""A programme's values in words: an exercise's name in the reader's language, a dose
("10 repetitions × 2 sets, twice a day"), the days ("every day", "Monday, Wednesday")."""

from __future__ import annotations

from typing import Protocol

from django import template
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, ngettext

from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.models import Exercise
from sciaticare.exercises.selectors.library import exercise_words

register = template.Library()


class Dosed(Protocol):
    """A plan item, or its values (changes.ItemValues)."""

    repetitions: int
    sets: int
    minutes: int
    times_per_day: int


@register.filter
def exercise_name(exercise: Exercise) -> str:
    """A built-in exercise's name in the reader's language; another's as its writer typed it."""
    return exercise_words(exercise).name


def times_a_day(count: int) -> str:
    if count == 1:
        return gettext("once a day")
    if count == 2:
        return gettext("twice a day")
    return ngettext("%(count)s time a day", "%(count)s times a day", count) % {"count": count}


@register.filter
def dose(item: Dosed) -> str:
    """``{{ item|dose }}`` → "10 repetitions × 2 sets, twice a day" or "15 minutes, once a
    day"."""
    if item.minutes:
        amount = ngettext("%(count)s minute", "%(count)s minutes", item.minutes) % {
            "count": item.minutes
        }
    else:
        amount = ngettext("%(count)s repetition", "%(count)s repetitions", item.repetitions) % {
            "count": item.repetitions
        }
        if item.sets > 1:
            amount = gettext("%(amount)s × %(sets)s sets") % {"amount": amount, "sets": item.sets}
    return gettext("%(amount)s, %(often)s") % {
        "amount": amount,
        "often": times_a_day(item.times_per_day),
    }


@register.filter
def weekdays(mask: int) -> str:
    """``{{ item.days|weekdays }}`` → "every day", or the days by name, Monday first."""
    if mask == EVERY_DAY:
        return gettext("every day")
    return ", ".join(str(WEEKDAYS[n]) for n in range(7) if mask >> n & 1)
