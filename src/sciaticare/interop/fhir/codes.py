"""The code systems, codes, extension URLs and status values of our FHIR resources, shared by
the export, the checks and the import (the decisions behind them: the package docstring)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final

from sciaticare.intake import bodymap
from sciaticare.intake.scoring.definition import FHIR_BASE_URL

BASE_URL: Final = FHIR_BASE_URL  # canonical base of our definitions, not of resources
CANONICAL_BASE: Final = BASE_URL
BODY_MAP_SYSTEM: Final = f"{BASE_URL}/CodeSystem/body-map"
PAIN_SITE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/pain-site"
INSTRUMENT_SYSTEM: Final = f"{BASE_URL}/CodeSystem/instrument"
TECHNIQUE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/technique"
DIARY_TAG_URL: Final = f"{BASE_URL}/StructureDefinition/diary-tag"
MOMENT_URL: Final = f"{BASE_URL}/StructureDefinition/pain-moment"
#: The library's built-in exercises, by slug (a clinic's or a patient's own have text only).
EXERCISE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/exercise"
#: Our own codes for the home programme's figures: no LOINC code says "home exercise adherence,
#: per week", and none is invented (docs/clinical.md, "Codes").
HOME_EXERCISE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/home-exercise"
ADHERENCE_CODE: Final = "adherence-week"
ADHERENCE_TEXT: Final = "Home exercise adherence, per week"
PLANNED_CODE: Final = "planned-sessions"
DONE_CODE: Final = "done-sessions"
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM: Final = "http://unitsofmeasure.org"
CATEGORY_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/observation-category"
CLINICAL_STATUS_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ACT_CODE_SYSTEM: Final = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

PAIN_LOINC: Final = "72514-3"  # Pain severity 0-10 (docs/clinical.md)
SCIATICA_SNOMED: Final = "23056005"  # docs/clinical.md
MASSAGE_SNOMED: Final = (
    "387854002"  # "therapeutic massage": pending confirmation (docs/clinical.md)
)


class AppointmentStatus(enum.StrEnum):
    """FHIR Appointment.status values we write; ours map onto them (see APPOINTMENT_STATUS)."""

    BOOKED = "booked"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"


# scheduling.models.AppointmentStatus -> FHIR. "held" and "expired" never reach an export.
APPOINTMENT_STATUS: Final[Mapping[str, AppointmentStatus]] = {
    "booked": AppointmentStatus.BOOKED,
    "completed": AppointmentStatus.FULFILLED,
    "no_show": AppointmentStatus.NOSHOW,
    "cancelled": AppointmentStatus.CANCELLED,
    "rescheduled": AppointmentStatus.CANCELLED,
}


class EncounterStatus(enum.StrEnum):
    FINISHED = "finished"


class ProcedureStatus(enum.StrEnum):
    COMPLETED = "completed"


class ObservationStatus(enum.StrEnum):
    FINAL = "final"


class CarePlanStatus(enum.StrEnum):
    ACTIVE = "active"  # the programme has not ended
    COMPLETED = "completed"  # ended


class ActivityStatus(enum.StrEnum):
    """CarePlan.activity.detail.status of an exercise of the programme."""

    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"  # paused by the patient
    COMPLETED = "completed"  # the programme ended


#: FHIR's days of the week (Timing.repeat.dayOfWeek), Monday first as our weekday masks.
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ResponseStatus(enum.StrEnum):
    COMPLETED = "completed"


class InvoiceStatus(enum.StrEnum):
    ISSUED = "issued"  # something is still owed
    BALANCED = "balanced"  # paid
    CANCELLED = "cancelled"  # credited in full


#: Where our invoice stands (billing's InvoiceState) → FHIR's Invoice.status.
INVOICE_STATUS: Final = {
    "open": InvoiceStatus.ISSUED,
    "paid": InvoiceStatus.BALANCED,
    "credited": InvoiceStatus.CANCELLED,
}


class ClinicalStatus(enum.StrEnum):
    ACTIVE = "active"
    RESOLVED = "resolved"


class PainSite(enum.StrEnum):
    BACK = "back"
    LEG = "leg"


class Moment(enum.StrEnum):
    """When a pain measurement was taken."""

    DIARY = "diary"
    BEFORE = "before-session"
    AFTER = "after-session"


# outcomes.models.Tag, repeated here because this module imports no Django (a test keeps the
# two equal).
DIARY_TAGS: Final = frozenset({"after_massage", "after_exercise", "flare_up", "bad_night"})

#: CPT, the code system of a US clinic's session lines (97124, massage).
CPT_SYSTEM: Final = "http://www.ama-assn.org/go/cpt"

RESOURCE_ORDER: Final = (
    "Patient",
    "Organization",
    "Location",
    "Practitioner",
    "Condition",
    "Appointment",
    "Encounter",
    "Procedure",
    "QuestionnaireResponse",
    "CarePlan",
    "Observation",
    "Invoice",
)


def codes_in(concept: object, system: str) -> list[str]:
    """The codes of ``system`` in a CodeableConcept (none when it is not one)."""
    if not isinstance(concept, Mapping):
        return []
    return [
        str(c.get("code"))
        for c in concept.get("coding") or []
        if isinstance(c, Mapping) and c.get("system") == system
    ]


def condition_side(condition: Mapping[str, Any]) -> str | None:
    """The side a Condition's ICD-10-CM code names ("left", "right"); None otherwise."""
    for side, code in bodymap.SCIATICA_ICD10CM.items():
        if code in codes_in(condition.get("code"), ICD10CM):
            return side
    return None
