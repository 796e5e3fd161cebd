"""Names people type (their own, a clinic's, a location's, a session type's) are one line of
printable text: a line break in a first name once broke the therapist's cancellation mail, whose
subject carries the name. Mail subjects pass through `one_line` as well, whatever they carry."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

# Unicode "Cc" (C0, DEL, C1) and the line and paragraph separators, which mail and log lines
# also treat as line ends.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text)) or any(
        unicodedata.category(character) == "Cc" for character in text
    )


def one_line(text: str) -> str:
    """`text` with each run of control characters (line breaks, tabs…) made one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def validate_name(value: str) -> None:
    """Refuse a name with line breaks, tabs or other control characters."""
    if has_control_characters(value):
        raise ValidationError(
            "A name cannot contain line breaks, tabs or other control characters.",
            code="control_characters",
        )
