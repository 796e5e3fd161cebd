"""`bounds.whole_number`: the one reading of an id or a count typed into a page or a header."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.core.bounds import MAX_ID, whole_number


@pytest.mark.parametrize(
    ("text", "most", "expected"),
    [
        ("0", MAX_ID, 0),
        ("42", MAX_ID, 42),
        ("007", MAX_ID, 7),
        (str(MAX_ID), MAX_ID, MAX_ID),
        (str(MAX_ID + 1), MAX_ID, None),  # one past a 64-bit key
        ("9" * 5000, MAX_ID, None),  # past int()'s limit on digits: no ValueError
        ("12", 10, None),
        ("10", 10, 10),
        ("", MAX_ID, None),
        ("-1", MAX_ID, None),
        ("+1", MAX_ID, None),
        (" 1", MAX_ID, None),
        ("1.0", MAX_ID, None),
        ("\u00b2", MAX_ID, None),  # superscript two: isdigit() yes, int() refuses
        ("\u0663", MAX_ID, None),  # Arabic-Indic three: int() reads it, an id is ASCII
        ("\uff11", MAX_ID, None),  # fullwidth one
    ],
)
def test_whole_number(text, most, expected):
    assert whole_number(text, most=most) == expected


@given(st.text())
def test_whole_number_never_raises_and_stays_in_bounds(text):
    number = whole_number(text)
    if number is not None:
        assert 0 <= number <= MAX_ID
        assert text.isascii()
        assert int(text) == number


@given(st.integers(min_value=0, max_value=MAX_ID))
def test_every_key_written_out_is_read_back(number):
    assert whole_number(str(number)) == number
