"""Names people type (their own, a clinic's, a location's, a session type's) and the other short
one-line text they type (credential fields, token names, addresses) are one line of printable
text: a line break in a first name once broke the therapist's cancellation mail, whose subject
carries the name, and invisible format characters (a right-to-left override, a zero-width space)
make a name or a licence number read as something else. Mail subjects pass through `one_line`
as well, whatever they carry. Multi-line text keeps its line breaks and tabs
(`has_hidden_characters`)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

# Unicode "Cc" (C0, DEL, C1) and the line and paragraph separators, which mail and log lines
# also treat as line ends.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text)) or any(
        unicodedata.category(character) == "Cc" for character in text
    )


# Zero-width non-joiner and joiner: Unicode "Cf", but part of how Persian, Arabic and Indic
# names are spelt (and of emoji), so they stay.
_JOINERS = frozenset("\u200c\u200d")


def has_format_characters(text: str) -> bool:
    """Invisible Unicode format characters ("Cf": U+202E right-to-left override, U+200B zero-width
    space, U+FEFF…), joiners aside."""
    return any(
        unicodedata.category(character) == "Cf" and character not in _JOINERS for character in text
    )


#: What multi-line text may hold of the control characters: line breaks and tabs.
_TEXT_CONTROLS = frozenset("\n\r\t")


def has_hidden_characters(text: str) -> bool:
    """Multi-line text people type (instructions, a note to a client): control characters other
    than line breaks and tabs (a NUL, which PostgreSQL cannot store, a bell) or invisible format
    characters."""
    return has_format_characters(text) or any(
        character not in _TEXT_CONTROLS
        and (unicodedata.category(character) == "Cc" or character in "\u2028\u2029")
        for character in text
    )


def hidden_characters_refusal() -> str:
    """What a field holding hidden characters is told, in the language being answered in."""
    return gettext("use visible characters, line breaks and tabs only")


def one_line(text: str) -> str:
    """`text` with each run of control characters (line breaks, tabs…) made one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def validate_name(value: str) -> None:
    """Refuse a name with line breaks, tabs, other control or invisible format characters."""
    if has_control_characters(value) or has_format_characters(value):
        raise ValidationError(
            gettext(
                "A name cannot contain line breaks, tabs or other control or invisible characters."
            ),
            code="control_characters",
        )


def validate_one_line(value: str) -> None:
    """Refuse short one-line text (not a name) with control or invisible format characters."""
    if has_control_characters(value) or has_format_characters(value):
        raise ValidationError(
            gettext(
                "Use one line of text, without line breaks, tabs or other control or invisible "
                "characters."
            ),
            code="control_characters",
        )
