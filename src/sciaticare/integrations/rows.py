"""Reading an uploaded CSV export and one of its rows into plain values, or saying why not.
Pure, no Django: any bytes give either a table or a refusal in words, never an exception.

A file is read as UTF-8 (with or without the byte-order mark spreadsheet programs write);
its delimiter is a comma or a semicolon (Excel's in much of Europe), whichever the header line
holds more of. Limits keep one upload inside one request: `MAX_BYTES`, `MAX_ROWS`, and a cell
of at most `MAX_CELL` characters. Dates outside `EARLIEST`..`LATEST` are refused here, so no
later step (a time zone, a session's length, a day either side) can leave the calendar.

A reason that quotes a cell shows it as the pages show cells (`shown`): cut short, and with a
leading apostrophe when it begins like a formula. A reason (`Reason`) keeps its English sentence
and the values it names, so that a report kept after an import is read in the language of
whoever reads it (`said`), not the importer's.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sciaticare.core.spreadsheet import escape_cell
from sciaticare.core.translation import gettext, gettext_noop
from sciaticare.integrations.mappings import DATE_FORMATS, TIME_FORMATS, Kind, Source

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 200
MAX_CELL = 10_000
MAX_SUMMARY = 10_000
MAX_NAME = 150
MAX_ID = 100

#: The dates a file may hold: a session, past or booked, of this century (and the next).
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Table:
    """A file's header and its data rows, each with its row number (the header is row 1)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class Refusal:
    """Why a whole file cannot be read."""

    message: str


def read_table(data: bytes) -> Table | Refusal:
    """The file's table, or why it cannot be read."""
    if len(data) > MAX_BYTES:
        return Refusal(gettext("The file is larger than 5 MB: split it into smaller files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Refusal(
            gettext("The file is not UTF-8 text: save it again as “CSV UTF-8” and upload that.")
        )
    if "\x00" in text:
        return Refusal(gettext("The file is not a CSV file (it holds binary data)."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    headers: list[str] | None = None
    try:
        for number, cells in enumerate(reader, start=1):
            if any(len(cell) > MAX_CELL for cell in cells) or len(cells) > MAX_COLUMNS:
                return Refusal(
                    gettext("Row %(row)s is too long to be a row of an export.") % {"row": number}
                )
            if headers is None:
                headers = [cell.strip() for cell in cells]
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return Refusal(
                    gettext("The file has more than %(rows)s rows: split it into smaller files.")
                    % {"rows": f"{MAX_ROWS:,}"}
                )
            rows.append((number, cells))
    except csv.Error:
        return Refusal(
            gettext(
                "The file is not a well-formed CSV file (a quote is left open near row %(row)s)."
            )
            % {"row": reader.line_num}
        )
    if not headers or not any(headers):
        return Refusal(gettext("The file is empty: it needs a header row and at least one row."))
    if not rows:
        return Refusal(gettext("The file has a header row but no rows to import."))
    return Table(headers=headers, rows=rows)


@dataclass(frozen=True)
class Row:
    """One row's values, checked. Text is stripped; a patient is named by their id in the other
    system or by email; `start` is a naive local datetime (the location's zone is applied by the
    caller), or None with only `day` when the file gives a date without a time."""

    number: int
    source_id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""  # as written in the file: the service reads it as a mobile, or leaves it
    patient_id: str = ""
    patient_email: str = ""
    therapist: str = ""
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    location: str = ""
    session_type: str = ""
    status: str = ""  # booked, completed, cancelled, no_show; "" when the file says nothing
    summary: str = ""


class Reason(str):
    """One sentence of why a row is not imported (or is imported without one of its values), in
    the language being answered in, that keeps its English sentence (marked with gettext_noop)
    and the values it names: `as_json` is what a report keeps, `said` reads it back later in
    the reader's language. A value that is itself a Reason is translated with it."""

    text: str
    params: dict[str, Any]
    marked: bool

    def __new__(cls, text: str, params: Mapping[str, Any] | None = None) -> Reason:
        params = dict(params or {})
        self = super().__new__(cls, said({"text": text, "params": _kept(params)}))
        self.text, self.params, self.marked = text, params, True
        return self

    @classmethod
    def as_written(cls, message: str) -> Reason:
        """A sentence already translated, whose English is not known: kept as it reads."""
        self = super().__new__(cls, message)
        self.text, self.params, self.marked = message, {}, False
        return self

    def as_json(self) -> str | dict[str, Any]:
        if not self.marked:
            return str(self)
        return {"text": self.text, "params": _kept(self.params)}


def _kept(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v.as_json() if isinstance(v, Reason) else v for k, v in params.items()}


def said(kept: object) -> str:
    """A kept reason in the language being answered in: a plain string (a report kept before
    reasons kept their English) as it is; a sentence whose translation does not take its values
    in English."""
    if isinstance(kept, str):
        return kept
    if not isinstance(kept, dict) or not isinstance(kept.get("text"), str):
        return ""
    text, params = kept["text"], kept.get("params")
    if not params or not isinstance(params, dict):
        return gettext(text)
    values = {k: said(v) if isinstance(v, dict) else v for k, v in params.items()}
    for sentence in (gettext(text), text):
        try:
            return sentence % values
        except (KeyError, TypeError, ValueError):
            continue
    return text


@dataclass(frozen=True)
class Refused:
    """A row that is not imported, and why (one sentence per reason)."""

    number: int
    reasons: list[Reason]


def shown(text: str, limit: int = 60) -> str:
    """A cell as a reason quotes it: stripped, cut to `limit` characters, and with the leading
    apostrophe the pages give a cell that begins like a formula (core.spreadsheet)."""
    return str(escape_cell(text.strip()[:limit]))


def in_range(when: datetime | date) -> bool:
    """True for a date (or a date and time, read as written) from `EARLIEST` to `LATEST`."""
    day = when.date() if isinstance(when, datetime) else when
    return EARLIEST <= day <= LATEST


def _out_of_range(text: str) -> Reason:
    return Reason(
        gettext_noop(
            "“%(value)s” is outside the dates we import (the years %(first)s to %(last)s)."
        ),
        {"value": shown(text, 40), "first": EARLIEST.year, "last": LATEST.year},
    )


def cell(cells: list[str], mapping: dict[str, int], field: str) -> str:
    column = mapping.get(field)
    if column is None or column >= len(cells):
        return ""
    return cells[column].strip()


def _status(text: str) -> str | None:
    words = text.casefold().replace("-", " ").replace("_", " ").strip()
    if words in ("", "booked", "scheduled", "confirmed", "unarrived", "pending", "false", "no"):
        return "booked"
    if words in ("arrived", "attended", "completed", "complete", "checked in", "paid"):
        return "completed"
    if words in ("cancelled", "canceled", "rescheduled", "deleted"):
        return "cancelled"
    if words in ("no show", "noshow", "did not arrive", "dna", "missed"):
        return "no_show"
    # Cliniko's "Cancelled At" / "Did Not Arrive" columns hold a time or "true" when set.
    if words in ("true", "yes") or re.match(r"^\d{4}-\d{2}-\d{2}", text.strip()):
        return "cancelled"
    return None


def parse_day(text: str, source: Source) -> date | None:
    """A date in ISO 8601 or one of the system's declared formats; None when it is not one
    (or, for the generic mapping, when it could be read two ways)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    for pattern in DATE_FORMATS[source]:
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def parse_time(text: str) -> time | None:
    cleaned = text.upper().replace(".", "").strip()
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).time()  # noqa: DTZ007 - a clock time
        except ValueError:
            continue
    return None


def parse_when(text: str, source: Source) -> datetime | date | None:
    """A date and time (naive: the clinic location's clock), a date alone, or None."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        moment = None
    if moment is not None:
        if "T" not in text and " " not in text:
            return moment.date()
        if moment.tzinfo is not None:
            return moment  # an offset given: the caller converts it
        return moment
    day = parse_day(text, source)
    if day is not None:
        return day
    # A date and a clock time in one cell: the date's part is what the system's formats read.
    parts = text.split(" ", 1)
    if len(parts) == 2:
        day, clock = parse_day(parts[0], source), parse_time(parts[1])
        if day is not None and clock is not None:
            return datetime.combine(day, clock)
    return None


def _bad_when(text: str, source: Source) -> Reason:
    if source is Source.GENERIC and re.match(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text):
        return Reason(
            gettext_noop(
                "“%(value)s” could be read two ways (day or month first): write dates as "
                "2026-12-07 in the file."
            ),
            {"value": shown(text, 40)},
        )
    return Reason(
        gettext_noop("“%(value)s” is not a date and time we can read."), {"value": shown(text, 40)}
    )


def _patient_row(
    number: int, source_id: str, get: Callable[[str], str], reasons: list[Reason]
) -> Row | Refused:
    first, last, email = get("first_name"), get("last_name"), get("email").lower()
    if not first or not last:
        reasons.append(Reason(gettext_noop("A first and a last name are both needed.")))
    if len(first) > MAX_NAME or len(last) > MAX_NAME:
        reasons.append(
            Reason(gettext_noop("A name is longer than %(n)s characters."), {"n": MAX_NAME})
        )
    if not email:
        reasons.append(
            Reason(gettext_noop("It has no email: a patient's account is their email address."))
        )
    elif not _EMAIL.match(email) or len(email) > 254:
        reasons.append(
            Reason(
                gettext_noop("“%(value)s” is not an email address."), {"value": shown(get("email"))}
            )
        )
    if reasons:
        return Refused(number, reasons)
    phone = get("phone")[:40]
    return Row(number, source_id, first_name=first, last_name=last, email=email, phone=phone)


def _end_of(
    start: datetime | None, end_text: str, source: Source, reasons: list[Reason]
) -> datetime | None:
    if not end_text or start is None:
        return None
    parsed = parse_when(end_text, source)
    if isinstance(parsed, datetime):
        end: datetime | None = parsed
    else:
        clock = parse_time(end_text)
        end = datetime.combine(start.date(), clock, start.tzinfo) if clock else None
    if end is None:
        reasons.append(
            Reason(
                gettext_noop("“%(value)s” is not an end time we can read."),
                {"value": shown(end_text, 40)},
            )
        )
    elif not in_range(end):
        reasons.append(_out_of_range(end_text))
        return None
    elif end <= start:
        reasons.append(Reason(gettext_noop("It ends before it starts.")))
    return end


def _who_and_when(
    get: Callable[[str], str], source: Source, reasons: list[Reason]
) -> tuple[str, str, str, datetime | date | None, datetime | None, date | None]:
    """A session row's patient, therapist and time, with a reason for each that is wrong."""
    patient_id, patient_email = get("patient_id"), get("patient_email").lower()
    if not patient_id and not patient_email:
        reasons.append(
            Reason(gettext_noop("It names no patient (neither their id nor their email)."))
        )
    elif patient_email and not _EMAIL.match(patient_email):
        reasons.append(
            Reason(
                gettext_noop("“%(value)s” is not an email address."),
                {"value": shown(get("patient_email"))},
            )
        )
    therapist = get("therapist")
    if not therapist:
        reasons.append(Reason(gettext_noop("It names no therapist.")))
    when_text, time_text = get("start"), get("time")
    when = parse_when(f"{when_text} {time_text}".strip() if time_text else when_text, source)
    if not when_text:
        reasons.append(Reason(gettext_noop("It has no date.")))
    elif when is None:
        reasons.append(_bad_when(f"{when_text} {time_text}".strip(), source))
    elif not in_range(when):
        reasons.append(_out_of_range(f"{when_text} {time_text}".strip()))
        when = None
    start = when if isinstance(when, datetime) else None
    day = when.date() if isinstance(when, datetime) else when
    return patient_id, patient_email, therapist, when, start, day


def parse_row(
    *, kind: Kind, source: Source, number: int, cells: list[str], mapping: dict[str, int]
) -> Row | Refused:
    """One data row, checked on its own (the service checks it against the database)."""

    def get(field: str) -> str:
        return cell(cells, mapping, field)

    reasons: list[Reason] = []
    source_id = get("source_id")
    if not source_id:
        reasons.append(Reason(gettext_noop("It has no id from the other system.")))
    elif len(source_id) > MAX_ID:
        reasons.append(
            Reason(gettext_noop("Its id is longer than %(n)s characters."), {"n": MAX_ID})
        )
    if kind is Kind.PATIENTS:
        return _patient_row(number, source_id, get, reasons)
    patient_id, patient_email, therapist, when, start, day = _who_and_when(get, source, reasons)
    end = _end_of(start, get("end"), source, reasons)
    if kind is Kind.APPOINTMENTS:
        status = _status(get("status"))
        if status is None:
            reasons.append(
                Reason(
                    gettext_noop("“%(value)s” is not a status we know."),
                    {"value": shown(get("status"), 40)},
                )
            )
        if when is not None and start is None:
            reasons.append(Reason(gettext_noop("It gives a date but no time.")))
        if reasons:
            return Refused(number, reasons)
        return Row(
            number,
            source_id,
            patient_id=patient_id,
            patient_email=patient_email,
            therapist=therapist,
            day=day,
            start=start,
            end=end,
            location=get("location")[:120],
            session_type=get("session_type")[:80],
            status=status or "booked",
        )
    summary = get("summary")
    if not summary:
        reasons.append(Reason(gettext_noop("Its summary is empty.")))
    elif len(summary) > MAX_SUMMARY:
        reasons.append(
            Reason(
                gettext_noop("Its summary is longer than %(n)s characters."),
                {"n": f"{MAX_SUMMARY:,}"},
            )
        )
    if reasons:
        return Refused(number, reasons)
    return Row(
        number,
        source_id,
        patient_id=patient_id,
        patient_email=patient_email,
        therapist=therapist,
        day=day,
        start=start,
        summary=summary,
    )
