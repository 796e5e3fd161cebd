"""The pure archive module: CSV cells no spreadsheet runs, the README, the zip."""

import io
import zipfile
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from sciaticare.interop import archive


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
