"""CSV that a spreadsheet opens safely: the patient's "download everything" archive and the
clinic's takings for its accountant. Pure, no Django.

CSV injection: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or carriage return) as a formula, so such a cell is written with a
leading apostrophe, the OWASP "CSV Injection" advice. Only text cells are escaped: numbers are
written as numbers, and amounts (never negative) as plain decimal text ("55.00").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from sciaticare.core.translation import gettext

Cell = str | int | float | Decimal | date | datetime | None

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Cell) -> str | int | float:
    """A value a spreadsheet shows as text and never runs: numbers stay numbers, an amount is
    its decimal text, dates are ISO 8601, None is empty, and text that begins like a formula
    gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 CSV (with a byte-order mark, so spreadsheet programs read accents right), a
    header row, CRLF line ends (RFC 4180), every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in header])
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row has {len(row)} cells, the header {len(header)}")
        writer.writerow([escape_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode()
