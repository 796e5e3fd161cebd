"""Which column of another system's CSV export holds which of our fields: Jane, Cliniko, and a
generic mapping the clinic admin fills in. Pure, no Django.

A header matches a field when it equals one of the field's names for that system, compared
without case, spaces, underscores or punctuation ("Patient ID", "patient_id" and "PATIENT-ID"
are one name). The admin sees every column found and may change any choice before the dry run.

ASSUMED column lists. Neither Jane nor Cliniko publishes the column list of its CSV exports in
a form we could confirm. Cliniko's lists below are its API's field names
(docs.api.cliniko.com: a patient's ``id``, ``first_name``, ``last_name``, ``email``,
``date_of_birth``; an appointment's ``starts_at``, ``ends_at``, ``patient_name``, practitioner,
appointment type, ``cancelled_at``, ``did_not_arrive``, ``patient_arrived``) written as a
spreadsheet heads them ("Starts At"), plus the headers its reports commonly carry ("Patient
ID", "Practitioner", "Appointment Type", "Business"). Jane's are the headers its patient list
and appointments reports are commonly seen with ("Patient ID", "First Name", "Last Name",
"Email", "Staff Member", "Treatment", "Location", "Date", "Start Time", "State") and its chart
export ("Chart Entry ID", "Note"). Both are marked assumed in docs/integrations.md; a file whose
headers differ still imports through the mapping step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sciaticare.core.translation import gettext_noop


class Source(StrEnum):
    JANE = "jane"
    CLINIKO = "cliniko"
    GENERIC = "generic"


class Kind(StrEnum):
    PATIENTS = "patients"
    APPOINTMENTS = "appointments"
    SUMMARIES = "summaries"


SOURCE_NAMES = {
    Source.JANE: "Jane",
    Source.CLINIKO: "Cliniko",
    Source.GENERIC: gettext_noop("Another system (generic CSV)"),
}
KIND_NAMES = {
    Kind.PATIENTS: gettext_noop("Patients"),
    Kind.APPOINTMENTS: gettext_noop("Appointments (future ones are booked, past ones history)"),
    Kind.SUMMARIES: gettext_noop("Past session summaries"),
}


@dataclass(frozen=True)
class Field:
    """One of our fields a column can fill."""

    name: str
    label: str  # marked for translation; the page translates it
    required: bool
    names: tuple[str, ...]  # header names every system's file may use (generic included)
    jane: tuple[str, ...] = ()
    cliniko: tuple[str, ...] = ()

    def names_for(self, source: Source) -> tuple[str, ...]:
        extra = {Source.JANE: self.jane, Source.CLINIKO: self.cliniko}.get(source, ())
        return (*extra, *self.names, self.name)


_SOURCE_ID = gettext_noop("Its id in the other system")
_PATIENT_ID = gettext_noop("Patient's id in the other system")
_PATIENT_EMAIL = gettext_noop("Patient's email")
_THERAPIST = gettext_noop("Therapist (email or full name)")
_START = gettext_noop("Date and time (or date)")
_TIME = gettext_noop("Time, when in its own column")

FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.PATIENTS: (
        Field("source_id", _SOURCE_ID, True, ("id", "patient id", "client id", "patient number")),
        Field("first_name", gettext_noop("First name"), True, ("first name", "given name")),
        Field("last_name", gettext_noop("Last name"), True, ("last name", "surname")),
        Field("email", gettext_noop("Email"), True, ("email", "email address", "e-mail")),
        Field(
            "phone",
            gettext_noop("Mobile number"),
            False,
            (
                "mobile",
                "mobile phone",
                "mobile number",
                "cell",
                "cell phone",
                "phone",
                "phone number",
            ),
        ),
    ),
    Kind.APPOINTMENTS: (
        Field(
            "source_id",
            _SOURCE_ID,
            True,
            ("appointment id", "booking id"),
            cliniko=("id",),
        ),
        Field("patient_id", _PATIENT_ID, False, ("patient id", "client id")),
        Field("patient_email", _PATIENT_EMAIL, False, ("patient email", "email", "client email")),
        Field(
            "therapist",
            _THERAPIST,
            True,
            ("therapist", "practitioner", "therapist email", "practitioner email"),
            jane=("staff member", "staff"),
            cliniko=("practitioner name",),
        ),
        Field(
            "start",
            _START,
            True,
            ("start", "starts at", "date", "appointment start", "start time"),
            jane=("date",),
            cliniko=("starts at", "appointment date"),
        ),
        Field("time", _TIME, False, ("time", "start time")),
        Field("end", gettext_noop("End time"), False, ("end", "ends at", "end time")),
        Field(
            "location",
            gettext_noop("Location"),
            False,
            ("location", "site"),
            cliniko=("business",),
        ),
        Field(
            "session_type",
            gettext_noop("Session type"),
            False,
            ("session type", "service", "appointment type"),
            jane=("treatment",),
        ),
        Field(
            "status",
            gettext_noop("Status (booked, arrived, cancelled, no-show)"),
            False,
            ("status", "state"),
            cliniko=("cancelled at",),
        ),
    ),
    Kind.SUMMARIES: (
        Field(
            "source_id",
            _SOURCE_ID,
            True,
            ("note id", "summary id", "treatment note id"),
            jane=("chart entry id",),
            cliniko=("id",),
        ),
        Field("patient_id", _PATIENT_ID, False, ("patient id", "client id")),
        Field("patient_email", _PATIENT_EMAIL, False, ("patient email", "email", "client email")),
        Field(
            "therapist",
            _THERAPIST,
            True,
            ("therapist", "practitioner", "author"),
            jane=("staff member",),
        ),
        Field("start", _START, True, ("date", "session date", "appointment date", "start")),
        Field("time", _TIME, False, ("time", "start time")),
        Field(
            "summary",
            gettext_noop("Summary"),
            True,
            ("summary", "note", "notes", "treatment note", "content"),
        ),
    ),
}

#: Date and time formats each system's export is read with, tried in order; ISO 8601 always.
#: A system whose files write days with slashes says which comes first: Cliniko's are day
#: first (Australia, the UK), Jane's month first (North America) — ASSUMED, see above. The
#: generic mapping takes ISO only: "03/04/2026" is refused as ambiguous.
DATE_FORMATS: dict[Source, tuple[str, ...]] = {
    Source.CLINIKO: ("%d/%m/%Y", "%d/%m/%y"),
    Source.JANE: ("%m/%d/%Y", "%b %d, %Y", "%B %d, %Y"),
    Source.GENERIC: (),
}
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I %p")


def normalised(header: str) -> str:
    """A header as compared: lower case, letters and digits in words separated by one space."""
    return " ".join(re.findall(r"[0-9a-z]+", header.casefold()))


def suggested(*, source: Source, kind: Kind, headers: list[str]) -> dict[str, int]:
    """For each field, the first column whose header is one of the field's names for this
    system (a column fills one field at most); fields with no such column are left out."""
    seen = [normalised(h) for h in headers]
    taken: set[int] = set()
    mapping: dict[str, int] = {}
    for field in FIELDS[kind]:
        for name in field.names_for(source):
            wanted = normalised(name)
            column = next((i for i, h in enumerate(seen) if h == wanted and i not in taken), None)
            if column is not None:
                mapping[field.name] = column
                taken.add(column)
                break
    return mapping


def missing(*, kind: Kind, mapping: dict[str, int]) -> list[Field]:
    """The required fields the mapping leaves without a column (and, for appointments and
    summaries, the patient: by their id in the other system or by email, at least one)."""
    gaps = [f for f in FIELDS[kind] if f.required and f.name not in mapping]
    if kind is not Kind.PATIENTS and not ({"patient_id", "patient_email"} & set(mapping)):
        gaps.append(next(f for f in FIELDS[kind] if f.name == "patient_id"))
    return gaps
