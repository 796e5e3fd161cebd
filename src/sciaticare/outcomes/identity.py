"""How the doctor's report identifies the patient: date of birth, and an NHS number or another
identifier when the patient gives one. Pure, no Django.

A GP matches a letter to a record by name *and* date of birth (and the NHS number in England,
Wales and the Isle of Man); a name alone is not enough. Both are typed on the report request
form, kept with the report and deleted with it (docs/architecture.md, Outcomes). Its words are
in the language being answered in (``core.translation``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sciaticare.core.translation import gettext

IDENTIFIER_MAX = 40
OLDEST_AGE_YEARS = 120
_NHS_SHAPE = re.compile(r"^\d{3}[ -]?\d{3}[ -]?\d{4}$")
# Record numbers are letters and digits with separators; nothing else reaches the PDF.
_IDENTIFIER_CHARACTERS = re.compile(r"^[A-Za-z0-9 ./-]*$")


def nhs_digits(identifier: str) -> str | None:
    """The 10 digits of something written like an NHS number ("943 476 5919"), else None."""
    text = identifier.strip()
    return re.sub(r"[ -]", "", text) if _NHS_SHAPE.match(text) else None


def is_valid_nhs_number(digits: str) -> bool:
    """The NHS number's modulus-11 check digit (NHS Data Dictionary, "NHS Number")."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


@dataclass(frozen=True)
class PatientIdentity:
    """What the report prints to identify the patient besides the name."""

    date_of_birth: date | None
    identifier: str = ""

    @property
    def identifier_label(self) -> str:
        return gettext("NHS number") if nhs_digits(self.identifier) else gettext("Identifier")

    @property
    def identifier_text(self) -> str:
        digits = nhs_digits(self.identifier)
        if digits:
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
        return self.identifier.strip()


def identity_problems(
    *, date_of_birth: date | None, identifier: str, today: date
) -> list[tuple[str, str]]:
    """(field, message) for each problem; empty when the identity can go on a report."""
    problems: list[tuple[str, str]] = []
    if date_of_birth is None:
        problems.append(
            ("date_of_birth", gettext("Enter your date of birth: your doctor needs it."))
        )
    elif date_of_birth > today:
        problems.append(("date_of_birth", gettext("Your date of birth cannot be in the future.")))
    elif today.year - date_of_birth.year > OLDEST_AGE_YEARS:
        problems.append(("date_of_birth", gettext("Please check the year of your date of birth.")))
    text = identifier.strip()
    if len(text) > IDENTIFIER_MAX:
        problems.append(
            ("identifier", gettext("Use at most %(count)s characters.") % {"count": IDENTIFIER_MAX})
        )
    elif not _IDENTIFIER_CHARACTERS.match(text):
        problems.append(
            ("identifier", gettext("Use letters, digits, spaces, dots, slashes and hyphens only."))
        )
    else:
        digits = nhs_digits(text)
        if digits is not None and not is_valid_nhs_number(digits):
            problems.append(
                (
                    "identifier",
                    gettext("This is not a valid NHS number: please check the 10 digits."),
                )
            )
    return problems
