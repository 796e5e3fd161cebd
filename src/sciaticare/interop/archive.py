"""The "download everything" archive (GDPR Art. 15 access, Art. 20 portability): CSV files that
a spreadsheet opens safely (`core.spreadsheet`), a README saying what each file is, and the
zip. Pure, no Django.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import Final

#: The files of the archive, in order, with what each one holds (the README lists them).
FILES: Final[Mapping[str, str]] = {
    "README.txt": "this file.",
    "record.fhir.json": (
        "your whole record as a FHIR R4 Bundle (JSON), the format health systems exchange: "
        "episodes, sessions and their pain before and after, your diary, questionnaires. Another "
        "Sciaticare service can import it (POST /api/v1/patients/me/fhir)."
    ),
    "diary.csv": "your pain diary, one row per day.",
    "sessions.csv": (
        "your sessions (booked, attended, cancelled), with what your therapist recorded for you "
        "after a signed session."
    ),
    "scores.csv": "your questionnaire scores, one row per questionnaire you completed.",
    "progress-report.pdf": "the progress report you can give your doctor.",
}


def readme(*, name: str, made_at: datetime, retention_note: str) -> str:
    """README.txt: who, when, and what each file is."""
    lines = [
        "Sciaticare: everything we hold about you",
        "",
        f"For: {name}",
        f"Made: {made_at.isoformat(timespec='seconds')}",
        "",
        "Files:",
        *(f"- {file}: {what}" for file, what in FILES.items()),
        "",
        "The CSV files open in any spreadsheet. A text cell that began with = + - or @ is",
        "written with a leading apostrophe so that no spreadsheet runs it as a formula.",
        "Dates and times are ISO 8601; times are in UTC.",
        "",
        "Your therapists' full clinical notes belong to the clinic's record: this archive holds",
        "what they recorded for you. Ask the clinic for a copy of the full notes.",
        "",
        retention_note,
        "",
    ]
    return "\n".join(lines)


# A fixed time for every member, so the same files make the same zip (zip times have no zone).
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A deflated zip of the files, in the order given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16  # owner read/write: it is private data
            archive.writestr(info, content)
    return out.getvalue()
