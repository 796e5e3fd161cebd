"""The "download everything" archive (GDPR Art. 15 access, Art. 20 portability): CSV files that
a spreadsheet opens safely (`core.spreadsheet`), a README saying what each file is, and the
zip. Pure, no Django.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from sciaticare.core.translation import gettext, gettext_noop

#: The files of the archive, in order, with what each one holds (the README lists them; the
#: words are translated where shown: `readme`, the Your data page).
FILES: Final[Mapping[str, str]] = {
    "README.txt": gettext_noop("this file."),
    "record.fhir.json": gettext_noop(
        "your whole record as a FHIR R4 Bundle (JSON), the format health systems exchange: "
        "episodes, sessions and their pain before and after, your diary, questionnaires. You "
        'can bring it into another Sciaticare service on its "Your data" page ("Bring in '
        'records from another system"); a program sends it to POST /api/v1/patients/me/fhir.'
    ),
    "diary.csv": gettext_noop("your pain diary, one row per day."),
    "sessions.csv": gettext_noop(
        "your sessions (booked, attended, cancelled), with what your therapist recorded for you "
        "after a signed session."
    ),
    "scores.csv": gettext_noop(
        "your questionnaire scores, one row per questionnaire you completed."
    ),
    "exercises.csv": gettext_noop(
        "your home exercises: one row per exercise and day you logged, with how your leg felt "
        "after it (the programmes themselves are in the FHIR record)."
    ),
    "progress-report.pdf": gettext_noop("the progress report you can give your doctor."),
}


def _wrapped(paragraph: str) -> list[str]:
    return textwrap.wrap(paragraph, width=88)


def readme(*, name: str, made_at: datetime, retention_note: str) -> str:
    """README.txt: who, when, and what each file is, in the language being answered in (the
    patient's: tasks.archive_files). The files' names and columns stay as they are, so that a
    program reads every archive alike."""
    lines = [
        gettext("Sciaticare: everything we hold about you"),
        "",
        gettext("For: %(name)s") % {"name": name},
        gettext("Made: %(when)s") % {"when": made_at.isoformat(timespec="seconds")},
        "",
        gettext("Files:"),
        *(f"- {file}: {gettext(what)}" for file, what in FILES.items()),
        "",
        *_wrapped(
            gettext(
                "The CSV files open in any spreadsheet. A text cell that began with = + - or @ "
                "is written with a leading apostrophe so that no spreadsheet runs it as a "
                "formula."
            )
        ),
        gettext("Dates and times are ISO 8601; times are in UTC."),
        "",
        *_wrapped(
            gettext(
                "Your therapists' full clinical notes belong to the clinic's record: this "
                "archive holds what they recorded for you. Ask the clinic for a copy of the full "
                "notes."
            )
        ),
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
