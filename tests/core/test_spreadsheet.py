"""CSV a spreadsheet opens safely: no cell runs as a formula, the text survives."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.core import spreadsheet


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("plain words", "plain words"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
        (None, ""),
        (7, 7),
        (2.5, 2.5),
        (True, "yes"),
        (Decimal("55.00"), "55.00"),
        (date(2026, 3, 1), "2026-03-01"),
        (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "2026-03-01T09:30:00+00:00"),
    ],
)
def test_escape_cell(value, written):
    assert spreadsheet.escape_cell(value) == written


def _read(data: bytes) -> list[list[str]]:
    text = data.decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_no_cell_read_back_begins_like_a_formula_and_the_text_survives(cells):
    rows = _read(spreadsheet.csv_bytes([f"c{i}" for i in range(len(cells))], [cells]))

    assert rows[0] == [f"c{i}" for i in range(len(cells))]
    for original, read in zip(cells, rows[1], strict=True):
        assert not read.startswith(spreadsheet.FORMULA_STARTS)
        expected = "'" + original if original.startswith(spreadsheet.FORMULA_STARTS) else original
        assert read == expected


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="2 cells"):
        spreadsheet.csv_bytes(["a", "b", "c"], [["x", "y"]])
