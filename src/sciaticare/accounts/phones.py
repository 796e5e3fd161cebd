"""Mobile numbers as people type them, kept in E.164 (`+447400123456`). Pure: `phonenumbers`
(Google's libphonenumber data) and the time-zone database's country table, no Django.

A number typed without its country code ("07400 123456") is read in the person's region, the
country of their time zone (tzdata's `zone.tab`: Europe/London → GB). Only numbers that can
receive a text are kept: a landline is refused with its own reason.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

#: The longest E.164 number: a "+" and 15 digits (ITU-T Recommendation E.164, section 6.1).
E164_LENGTH = 16

#: Number types that can receive a text. FIXED_LINE_OR_MOBILE is how the plan of the US and
#: Canada (and a few others) files every number: their landlines cannot be told apart.
TEXTABLE = frozenset(
    {
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.UNKNOWN,
    }
)


class NotAMobileNumber(ValueError):
    """Why a typed number cannot be kept: `reason` is "no_country" (typed without a country
    code, and the person's region is unknown), "invalid" or "landline"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _tz_file(name: str) -> str:
    """A file of the time-zone database: tzdata's copy (installed with icalendar), else the
    system's ("" when neither has it)."""
    try:
        return resources.files("tzdata.zoneinfo").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        for folder in TZPATH:
            candidate = Path(folder) / name
            if candidate.is_file():
                return candidate.read_text("utf-8")
    return ""


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """{"Europe/London": "GB", …} from zone.tab; an older name that is now a link to a zone
    (tzdata.zi's "L Asia/Kolkata Asia/Calcutta", which browsers still report) has its zone's
    country unless zone.tab names its own (Europe/Oslo is Norway's, though linked to Berlin)."""
    countries = {}
    for line in _tz_file("zone.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            countries[fields[2]] = fields[0]
    for line in _tz_file("tzdata.zi").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == "L" and fields[1] in countries:
            countries.setdefault(fields[2], countries[fields[1]])
    return countries


def region_of_zone(zone: str) -> str | None:
    """The two-letter country of a time zone ("Europe/Madrid" → "ES"); None for zones of no
    one country (UTC, Etc/GMT+5)."""
    return _zone_countries().get(zone)


def to_e164(text: str, region: str | None) -> str:
    """The number typed, in E.164. National formats are read in `region`; "+…" and "00…"
    numbers in their own country. Raises NotAMobileNumber."""
    typed = text.strip()
    if typed.startswith("00"):
        typed = "+" + typed[2:]
    try:
        number = phonenumbers.parse(typed, None if typed.startswith("+") else region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise NotAMobileNumber("no_country") from exc
        raise NotAMobileNumber("invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise NotAMobileNumber("invalid")
    if phonenumbers.number_type(number) not in TEXTABLE:
        raise NotAMobileNumber("landline")
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_e164(value: str) -> bool:
    """Whether a stored value is a valid number written in E.164."""
    if not value.startswith("+") or len(value) > E164_LENGTH:
        return False
    try:
        number = phonenumbers.parse(value, None)
    except NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.format_number(number, PhoneNumberFormat.E164) == value
    )


def readable(value: str) -> str:
    """A stored number as people write it internationally: "+44 7400 123456"."""
    try:
        number = phonenumbers.parse(value, None)
    except NumberParseException:
        return value
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
