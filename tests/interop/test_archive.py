"""The pure archive module: CSV cells no spreadsheet runs, the README, the zip."""

import csv
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.interop import archive


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
        (date(2026, 3, 1), "2026-03-01"),
        (datetime(2026, 3, 1, 9, 30, tzinfo=UTC), "2026-03-01T09:30:00+00:00"),
    ],
)
def test_escape_cell(value, written):
    assert archive.escape_cell(value) == written


def _read(data: bytes) -> list[list[str]]:
    text = data.decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@given(st.lists(st.text(max_size=40), min_size=1, max_size=6))
def test_no_cell_read_back_begins_like_a_formula_and_the_text_survives(cells):
    rows = _read(archive.csv_bytes([f"c{i}" for i in range(len(cells))], [cells]))

    assert rows[0] == [f"c{i}" for i in range(len(cells))]
    for original, read in zip(cells, rows[1], strict=True):
        assert not read.startswith(archive.FORMULA_STARTS)
        expected = "'" + original if original.startswith(archive.FORMULA_STARTS) else original
        assert read == expected


def test_a_row_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match="2 cells"):
        archive.csv_bytes(["a", "b", "c"], [["x", "y"]])


def test_the_readme_names_every_file_and_the_retention_note():
    text = archive.readme(
        name="Odalys Fenwick",
        made_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        retention_note="Kept 8 years.",
    )

    for name in archive.FILES:
        assert f"- {name}: " in text
    assert "Odalys Fenwick" in text
    assert "2026-03-01T09:30:00+00:00" in text
    assert "Kept 8 years." in text


@given(st.dictionaries(st.sampled_from(list(archive.FILES)), st.binary(max_size=200), min_size=1))
def test_the_zip_holds_the_files_in_order_and_the_same_files_give_the_same_zip(files):
    made = archive.zip_bytes(files)

    with zipfile.ZipFile(io.BytesIO(made)) as opened:
        assert opened.namelist() == list(files)
        assert {n: opened.read(n) for n in opened.namelist()} == files
        assert opened.testzip() is None
    assert archive.zip_bytes(files) == made
