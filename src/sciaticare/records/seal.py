"""The seal of a signed note: a SHA-256 digest of everything the signature vouches for.

Stored when the note is signed and recomputed on read, so a change that slipped past the
service, the model and the database trigger (a restored old backup, a hand-edited row) shows
as a broken seal instead of passing silently. HIPAA §164.312(c)(2) asks for such a mechanism.
Pure: no Django import; the caller passes the note's values.
"""

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

# The fields a signature covers, in a fixed order; adding one is a new seal version. Spelt out
# rather than built from records.services.DRAFT_FIELDS: a new draft field must not change the
# seals already stored.
SEALED_FIELDS = (
    "appointment_id",
    "patient_id",
    "therapist_id",
    "subjective",
    "objective",
    "assessment",
    "assessment_shared",
    "plan",
    "regions",
    "techniques",
    "pressure",
    "pressure_warning_acknowledged",
    "minutes",
    "back_pain_before",
    "back_pain_after",
    "leg_pain_before",
    "leg_pain_after",
    "adverse_event",
    "adverse_event_detail",
    "home_care",
    "signed_at",
    "signed_by_id",
)
VERSION = "v1"


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        # Databases keep microseconds; the instant, not its rendering, is what is sealed.
        return value.timestamp()
    return value


def note_seal(values: Mapping[str, Any]) -> str:
    """`v1:<hex>` over the sealed fields; a missing field is an error, not a silent gap."""
    payload = json.dumps(
        [[name, _canonical(values[name])] for name in SEALED_FIELDS],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return f"{VERSION}:{hashlib.sha256(payload.encode()).hexdigest()}"


def seal_intact(values: Mapping[str, Any], stored: str) -> bool:
    return bool(stored) and note_seal(values) == stored
