"""The ranges input may ask for, checked where it comes in.

Numbers and dates from a URL, a form or a JSON body are checked against what the database and
the calendar can hold before anything computes with them, so that a huge id, a year 9999 or a
JSON document nested thousands deep is answered with a 4xx saying what was wrong, never a 500:

- ids: a URL converter (`<id:…>`, registered in urls.py), `ApiId` for the API's paths and
  queries and `BodyId` for its JSON bodies, all bounded to the database's 64-bit keys;
- dates and times of sessions: years `EARLIEST_YEAR`..`LATEST_YEAR` (`parse_day`,
  `check_session_time`, `SchedulingDatetime` for the API); the same years bound the dates of
  the record, typed or imported (diary days, answers, episodes: `day_out_of_range`); in a JSON
  body a date or a time is text (`BodyDate`, `SchedulingDatetime`), never a number;
- JSON: at most `MAX_JSON_DEPTH` levels of nesting (`loads_json`, `check_json_depth`, and the
  API's body parser);
- text: never the NUL character, which PostgreSQL cannot store, in a URL's query
  (web.middleware.RefuseNulMiddleware; each text field of a form or a JSON body is checked by
  its own rule, which names the field).
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Annotated, Any

from django import forms
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from ninja.parser import Parser
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictInt
from pydantic_core import PydanticCustomError

from sciaticare.core.errors import Invalid

#: The largest key a BigAutoField holds (signed 64-bit).
MAX_ID = 2**63 - 1
#: Sessions, slots and calendars live in these years; anything else is a typo or a probe.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
#: Far deeper than any FHIR Bundle or Questionnaire we read (about 10 levels), far below
#: Python's recursion limit.
MAX_JSON_DEPTH = 64
#: More pages than any search has; keeps OFFSET within what the database accepts.
MAX_PAGE = 10_000


# --- Ids ------------------------------------------------------------------------------------


def whole_number(text: str, *, most: int = MAX_ID) -> int | None:
    """The whole number `text` writes in ASCII digits, if it is at most `most` (a database
    key's limit by default), else None. Not `str.isdigit()` alone: that takes "²" and other
    digits `int()` refuses, and a page answered 500 (found by an outside test)."""
    if text.isascii() and text.isdigit() and len(text) <= len(str(most)):
        number = int(text)
        return number if number <= most else None
    return None


def is_key(value: int) -> bool:
    """Whether a database key could be `value` (a plain read's parameter must be one: SQLite
    overflows on a larger number where the ORM answers "no such row")."""
    return -MAX_ID - 1 <= value <= MAX_ID


class IdConverter:
    """`<id:name>` in a URL: digits that fit a database key; anything larger does not match
    (404), where Django's `<id:…>` would pass it on to overflow the query."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("larger than any database key")
        return number

    def to_url(self, value: int | str) -> str:
        return str(value)


#: An id in the API's path or query: a whole number a database key can hold.
ApiId = Annotated[int, Field(ge=-MAX_ID - 1, le=MAX_ID)]
#: An id in a JSON body: a JSON integer, as the schema says; `true`, "7" and 7.0 are refused, not
#: read as 1 and 7 (a path or query has only text, so `ApiId` reads it).
BodyId = Annotated[StrictInt, Field(ge=-MAX_ID - 1, le=MAX_ID)]


class ModelIdsField(forms.ModelMultipleChoiceField):
    """A form's choice of several rows by id. Django looks the ids up with `pk__in`, which
    does not bound them (SQLite raises OverflowError on a 20-digit id): refuse those first."""

    def _check_values(self, value: Any) -> Any:
        for item in value:
            text = str(item)
            if whole_number(text) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text},
                )
        return super()._check_values(value)  # type: ignore[misc]


# --- Dates ----------------------------------------------------------------------------------


def _range_message() -> str:
    return gettext("must be a date in the years %(first)d to %(last)d") % {
        "first": EARLIEST_YEAR,
        "last": LATEST_YEAR,
    }


def _out_of_range(day: date | str) -> str:
    return gettext(
        "%(day)s is out of range: dates here are in the years %(first)d to %(last)d."
    ) % {"day": day, "first": EARLIEST_YEAR, "last": LATEST_YEAR}


def in_scheduling_range(day: date) -> bool:
    return EARLIEST_YEAR <= day.year <= LATEST_YEAR


def day_out_of_range(day: date) -> str | None:
    """Why `day` cannot be a date here (a session's, a diary day's, an answer's, an episode's
    start), or None. The one rule for typed and imported dates alike."""
    return None if in_scheduling_range(day) else _out_of_range(day.isoformat())


def parse_day(raw: str | None, *, field: str) -> date | None:
    """A `YYYY-MM-DD` from a query string or form: None when absent; Invalid when it is not a
    real date (`2026-02-30`) or lies outside the years sessions can have."""
    if not raw:
        return None
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise Invalid(
            "bad_date",
            gettext("%(raw)s is not a date.") % {"raw": repr(raw)},
            [(field, gettext("must be a real date, YYYY-MM-DD"))],
        )
    if not in_scheduling_range(day):
        raise Invalid("date_out_of_range", _out_of_range(raw), [(field, _range_message())])
    return day


def check_session_time(moment: datetime, *, field: str = "start") -> None:
    """Invalid unless `moment` (a session's start, a window's edge) lies in the years sessions
    can have. Services call it before they add durations or look up calendars."""
    if not in_scheduling_range(moment.date()):
        raise Invalid(
            "date_out_of_range",
            _out_of_range(moment.date().isoformat()),
            [(field, _range_message())],
        )


def _in_range(moment: datetime) -> datetime:
    if not in_scheduling_range(moment.date()):
        raise PydanticCustomError("date_out_of_range", _range_message())
    return moment


_NUMBER = re.compile(r"\s*[-+]?[0-9]+(\.[0-9]*)?\s*")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _text_not_number(value: Any) -> Any:
    # Lax parsing would read a number, or text that is one, as seconds since 1970 (1765065600
    # as a day or as a session's start) and `true` as 1: a client that sends one has a bug to
    # be told of.
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise PydanticCustomError(
            "text_expected", gettext("must be written as text (ISO 8601), not as a number")
        )
    return value


def _day_text(value: Any) -> Any:
    # Only the day itself: lax parsing takes a midnight date-time ("…T00:00:00+14:00") too.
    value = _text_not_number(value)
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise PydanticCustomError("date_format", gettext("must be a real date, YYYY-MM-DD"))
    return value


#: A session time in the API: ISO 8601 text with its offset, in the years sessions can have.
SchedulingDatetime = Annotated[
    AwareDatetime, BeforeValidator(_text_not_number), AfterValidator(_in_range)
]
#: A date in a JSON body: text, YYYY-MM-DD (a path or query has only text, so `date` reads it).
BodyDate = Annotated[date, BeforeValidator(_day_text)]


# --- JSON -----------------------------------------------------------------------------------


class JsonRefused(ValueError):
    """A JSON document refused for its shape; the message says why."""


def check_json_depth(value: Any, *, limit: int = MAX_JSON_DEPTH) -> None:
    """JsonRefused (a ValueError) if `value` (parsed JSON) nests lists and objects more than
    `limit` deep. Iterative, so a deep document cannot exhaust the stack while it is being
    measured."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise JsonRefused(f"nested more than {limit} levels deep")
        stack.extend((child, depth + 1) for child in children)


def loads_json(text: str | bytes, *, limit: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads` that refuses, with ValueError, documents nested more than `limit` deep
    (the C decoder itself stops with RecursionError at about a thousand)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonRefused(f"nested more than {limit} levels deep") from None
    check_json_depth(value, limit=limit)
    return value


class BoundedJsonParser(Parser):
    """The API's body parser: ninja answers what it raises with a 400 (api.py says why)."""

    def parse_body(self, request: Any) -> Any:
        return loads_json(request.body)
