"""A programme's values in words: an exercise's name in the reader's language, a dose
("10 repetitions × 2 sets, twice a day"), the days ("every day", "Monday, Wednesday")."""

from __future__ import annotations

from django import template
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext

from sciaticare.exercises.adherence import EVERY_DAY
from sciaticare.exercises.models import Exercise
from sciaticare.exercises.selectors.library import exercise_words
from sciaticare.exercises.wording import Dosed, dose_text

register = template.Library()


@register.filter
def exercise_name(exercise: Exercise) -> str:
    """A built-in exercise's name in the reader's language; another's as its writer typed it."""
    return exercise_words(exercise).name


@register.filter
def dose(item: Dosed) -> str:
    """``{{ item|dose }}`` → "10 repetitions, 2 sets, twice a day" or "15 minutes, once a day"."""
    return dose_text(item)


@register.filter
def weekdays(mask: int) -> str:
    """``{{ item.days|weekdays }}`` → "every day", or the days by name, Monday first."""
    if mask == EVERY_DAY:
        return gettext("every day")
    return ", ".join(str(WEEKDAYS[n]) for n in range(7) if mask >> n & 1)
