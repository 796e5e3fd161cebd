"""Reading a CSV export and one row, without a database: table-driven, and any bytes give a
table or a refusal in words, never an exception."""

from __future__ import annotations

# Dates in a file are the location's clock: naive until the service applies the zone.
# ruff: noqa: DTZ001
from datetime import date, datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.integrations.mappings import (
    SOURCE_NAMES,
    Kind,
    Source,
    missing,
    normalised,
    suggested,
)
from sciaticare.integrations.rows import (
    Reason,
    Refusal,
    Refused,
    Row,
    Table,
    parse_row,
    parse_when,
    read_table,
    said,
)


@pytest.mark.parametrize(
    ("data", "headers", "rows"),
    [
        (b"a,b\n1,2\n", ["a", "b"], [(2, ["1", "2"])]),
        (b"\xef\xbb\xbfa;b\r\n1;2\r\n\r\n", ["a", "b"], [(2, ["1", "2"])]),
        (b'a,b\n"x, y",2\n', ["a", "b"], [(2, ["x, y", "2"])]),
    ],
)
def test_a_file_reads_with_either_delimiter_and_a_byte_order_mark(data, headers, rows):
    assert read_table(data) == Table(headers=headers, rows=rows)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"a,b\n", "no rows"),
        ("a\nJosé\n".encode("latin-1"), "UTF-8"),
        (b"a\x00b\n1\n", "binary"),
        (b'a,b\n"open,2\n', "quote"),
        (b"a\n" + b"1\n" * 20_001, "20,000"),
        (b"a\n" + b"x" * (5 * 1024 * 1024), "5 MB"),
    ],
)
def test_an_unreadable_file_is_refused_in_words(data, words):
    refusal = read_table(data)
    assert isinstance(refusal, Refusal)
    assert words in refusal.message


@given(st.binary(max_size=2000))
def test_any_bytes_give_a_table_or_a_refusal(data):
    assert isinstance(read_table(data), Table | Refusal)


@given(st.lists(st.text(max_size=30), min_size=1, max_size=8), st.sampled_from(list(Kind)))
def test_any_row_parses_or_is_refused_never_raises(cells, kind):
    mapping = {
        name: i
        for i, name in enumerate(
            [
                "source_id",
                "patient_email",
                "therapist",
                "start",
                "time",
                "summary",
                "email",
                "first_name",
            ]
        )
    }
    result = parse_row(kind=kind, source=Source.GENERIC, number=2, cells=cells, mapping=mapping)
    assert isinstance(result, Row | Refused)


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ("2026-12-07 09:00", Source.CLINIKO, datetime(2026, 12, 7, 9, 0)),
        ("07/12/2026 09:00", Source.CLINIKO, datetime(2026, 12, 7, 9, 0)),
        ("12/07/2026 9:00 AM", Source.JANE, datetime(2026, 12, 7, 9, 0)),
        ("12/07/2026 2:30 PM", Source.JANE, datetime(2026, 12, 7, 14, 30)),
        ("2026-12-07T09:00", Source.GENERIC, datetime(2026, 12, 7, 9, 0)),
        ("2026-12-07", Source.GENERIC, date(2026, 12, 7)),
        ("12/07/2026 09:00", Source.GENERIC, None),  # day or month first: ambiguous
        ("31/02/2026 09:00", Source.CLINIKO, None),
        ("soon", Source.JANE, None),
    ],
)
def test_dates_are_read_in_the_formats_each_system_declares(text, source, expected):
    assert parse_when(text, source) == expected


def test_an_ambiguous_generic_date_is_refused_with_the_way_to_write_it():
    row = parse_row(
        kind=Kind.APPOINTMENTS,
        source=Source.GENERIC,
        number=7,
        cells=["A1", "p@example.org", "Ana", "03/04/2026 09:00"],
        mapping={"source_id": 0, "patient_email": 1, "therapist": 2, "start": 3},
    )
    assert isinstance(row, Refused)
    assert "2026-12-07" in row.reasons[0]


@pytest.mark.parametrize(
    ("source", "headers", "expected"),
    [
        (
            Source.CLINIKO,
            ["Patient ID", "First Name", "Last Name", "Email"],
            {"source_id": 0, "first_name": 1, "last_name": 2, "email": 3},
        ),
        (
            Source.GENERIC,
            ["patient_id", "FIRST-NAME", "surname", "E-mail"],
            {"source_id": 0, "first_name": 1, "last_name": 2, "email": 3},
        ),
        (Source.JANE, ["Email", "Nothing"], {"email": 0}),
    ],
)
def test_headers_match_without_case_spaces_or_punctuation(source, headers, expected):
    assert suggested(source=source, kind=Kind.PATIENTS, headers=headers) == expected


def test_a_mapping_without_a_patient_column_is_incomplete():
    gaps = missing(kind=Kind.APPOINTMENTS, mapping={"source_id": 0, "therapist": 1, "start": 2})
    assert [f.name for f in gaps] == ["patient_id"]
    assert normalised("  Patient_ID ") == "patient id"


def test_a_kept_reason_is_said_in_the_language_it_is_read_in():
    cancelled = "It was cancelled in %(system)s: cancelled sessions are not imported."
    reason = Reason(cancelled, {"system": Reason(SOURCE_NAMES[Source.GENERIC])})
    kept = reason.as_json()

    assert str(reason).startswith("It was cancelled in Another system (generic CSV)")
    with translation.override("es"):
        assert said(kept) == (
            "Se canceló en Otro sistema (CSV genérico): las sesiones canceladas no se importan."
        )
        assert said("An old report's sentence.") == "An old report's sentence."
        # A kept sentence whose values no longer fit it is said in English, never an error.
        assert said({"text": cancelled, "params": {"other": 1}}) == cancelled
        assert Reason.as_written("Ya traducida.").as_json() == "Ya traducida."
