"""A patient's record as a FHIR R4 ``Bundle`` (type ``collection``), and back. Pure, no Django.

Export builds resources from plain dataclasses; :func:`parse_bundle` reads a Bundle into plain
dataclasses for import. ``fhir.resources.R4B`` checks structure only, not code values (docs/dependencies.md), so
:func:`validate_codes` checks every code value against our own enums.

Decisions (docs for the import service too):
- Ids are stable and derived from what the row is, so export -> import -> export gives the same
  Bundle modulo the Patient: ``appointment-<pk>`` for rows only this system holds, and content
  keys for rows an import re-creates (``pain-<day>``, ``condition-<started_on>``,
  ``qr-<instrument>-<completed µs>``). fullUrl is ``<base>/<Type>/<id>`` where ``<base>`` is
  the exporting instance's own (``SITE_URL`` + ``/fhir``), so a Bundle says where it came
  from and an import knows a record it exported itself. Definitions (code systems, extensions,
  questionnaires) keep one canonical base, ``CANONICAL_BASE``: every instance's Bundles must
  use the same codes to be exchanged.
- abatementDateTime is when the sciatica resolved clinically. The app does not record that
  (an episode is closed when the patient starts a new one, which says nothing about when the
  pain went), so it is left out; clinicalStatus still says ``resolved`` for a closed episode.
- Pain 0-10 (LOINC 72514-3, docs/clinical.md "Codes"): ONE Observation per diary entry and per
  before/after moment of a signed session note, with a component each for back and leg pain
  (the component codes carry LOINC 72514-3 plus our local ``pain-site`` code saying which).
  One resource per moment keeps "one per diary entry" literal and back/leg paired.
- Sciatica: SNOMED CT 23056005; ICD-10-CM M54.31 right / M54.32 left / M54.30 otherwise
  (docs/clinical.md "Codes"); the side comes from the leg regions of the body map.
- Massage: SNOMED CT 387854002, the product's choice pending confirmation (docs/clinical.md).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.directory.ranking import MODALITIES
from sciaticare.intake import bodymap
from sciaticare.intake.scoring.definition import FHIR_BASE_URL
from sciaticare.intake.scoring.instruments import INSTRUMENTS

BASE_URL: Final = FHIR_BASE_URL  # canonical base of our definitions, not of resources
CANONICAL_BASE: Final = BASE_URL
BODY_MAP_SYSTEM: Final = f"{BASE_URL}/CodeSystem/body-map"
PAIN_SITE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/pain-site"
INSTRUMENT_SYSTEM: Final = f"{BASE_URL}/CodeSystem/instrument"
TECHNIQUE_SYSTEM: Final = f"{BASE_URL}/CodeSystem/technique"
DIARY_TAG_URL: Final = f"{BASE_URL}/StructureDefinition/diary-tag"
MOMENT_URL: Final = f"{BASE_URL}/StructureDefinition/pain-moment"
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
ICD_BY_SIDE: Final = {"right": "M54.31", "left": "M54.32", None: "M54.30"}

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_FULL_URL = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")
_PATIENT_REFERENCE = re.compile(r"(?:^|/)Patient/([^/]+)$")


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


class ResponseStatus(enum.StrEnum):
    COMPLETED = "completed"


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
    "Observation",
)


# ----------------------------------------------------------------------------------------------
# Input data
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientData:
    id: str
    given: str
    family: str
    email: str = ""


@dataclass(frozen=True)
class OrganizationData:
    id: str
    name: str


@dataclass(frozen=True)
class LocationData:
    id: str
    name: str
    address: str
    organization_id: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PractitionerData:
    id: str
    given: str
    family: str


@dataclass(frozen=True)
class ConditionData:
    """An episode of sciatica. ``side`` is "left", "right" or None (unknown or both).

    ``active`` is False once the episode is over; ``abated_at`` is when it resolved clinically,
    when known (never from our own episodes: docs in the module docstring)."""

    started_on: date
    active: bool = True
    abated_at: datetime | None = None
    side: str | None = None

    @property
    def id(self) -> str:
        return f"condition-{self.started_on.isoformat()}"


@dataclass(frozen=True)
class AppointmentData:
    """``status`` is ours (scheduling.models.AppointmentStatus)."""

    id: str
    status: str
    start: datetime
    end: datetime
    practitioner_id: str
    location_id: str


@dataclass(frozen=True)
class NoteData:
    """A signed session note of an appointment."""

    appointment_id: str
    practitioner_id: str
    location_id: str
    start: datetime
    end: datetime
    signed_at: datetime
    regions: Sequence[str] = ()
    techniques: Sequence[str] = ()
    back_pain_before: int | None = None
    back_pain_after: int | None = None
    leg_pain_before: int | None = None
    leg_pain_after: int | None = None


@dataclass(frozen=True)
class PainData:
    """One diary day."""

    day: date
    back_pain: int
    leg_pain: int
    note: str = ""
    tags: Sequence[str] = ()
    #: Where an imported entry came from (``Observation/<id>``), to name it in a refusal.
    source: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return f"pain-{self.day.isoformat()}"


@dataclass(frozen=True)
class QuestionnaireData:
    """A stored QuestionnaireResponse (its FHIR JSON) with the score we computed."""

    instrument: str
    resource: Mapping[str, Any]
    score: float
    band: str
    completed_at: datetime

    @property
    def id(self) -> str:
        micros = round(self.completed_at.timestamp() * 1_000_000)
        return f"qr-{self.instrument}-{micros}"


@dataclass(frozen=True)
class PatientRecord:
    """Everything an export holds, as plain values. ``external`` are resources kept verbatim
    from an earlier import (another clinic's sessions), already pointing at ``patient``."""

    patient: PatientData
    organizations: Sequence[OrganizationData] = ()
    locations: Sequence[LocationData] = ()
    practitioners: Sequence[PractitionerData] = ()
    conditions: Sequence[ConditionData] = ()
    appointments: Sequence[AppointmentData] = ()
    notes: Sequence[NoteData] = ()
    pain: Sequence[PainData] = ()
    questionnaires: Sequence[QuestionnaireData] = ()
    external: Sequence[Mapping[str, Any]] = ()


# ----------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime in a FHIR export")
    return moment.isoformat()


def ref(resource_type: str, resource_id: str) -> dict[str, str]:
    return {"reference": f"{resource_type}/{resource_id}"}


def full_url(base_url: str, resource_type: str, resource_id: str) -> str:
    """Where the resource lives: ``base_url`` is the exporting instance's FHIR base."""
    return f"{base_url}/{resource_type}/{resource_id}"


def _coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _pain_component(site: PainSite, value: int) -> dict[str, Any]:
    return {
        "code": {
            "coding": [
                _coding(LOINC, PAIN_LOINC, "Pain severity - 0-10 verbal numeric rating"),
                _coding(PAIN_SITE_SYSTEM, site.value),
            ],
            "text": f"{site.value} pain",
        },
        "valueInteger": value,
    }


def _pain_observation(
    obs_id: str,
    patient_id: str,
    moment: Moment,
    when: str,
    back: int | None,
    leg: int | None,
    *,
    encounter_id: str | None = None,
) -> dict[str, Any]:
    components = [
        _pain_component(site, value)
        for site, value in ((PainSite.BACK, back), (PainSite.LEG, leg))
        if value is not None
    ]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": obs_id,
        "extension": [{"url": MOMENT_URL, "valueCode": moment.value}],
        "status": ObservationStatus.FINAL.value,
        "category": [{"coding": [_coding(CATEGORY_SYSTEM, "survey")]}],
        "code": {"coding": [_coding(LOINC, PAIN_LOINC)], "text": "Pain severity 0-10"},
        "subject": ref("Patient", patient_id),
        "component": components,
    }
    if encounter_id is not None:
        resource["encounter"] = ref("Encounter", encounter_id)
    resource["effectiveDateTime"] = when
    return resource


def _patient(p: PatientData) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": p.id,
        "name": [{"family": p.family, "given": [p.given]} if p.given else {"family": p.family}],
    }
    if p.email:
        resource["telecom"] = [{"system": "email", "value": p.email}]
    return resource


def _human_name(given: str, family: str) -> dict[str, Any]:
    name: dict[str, Any] = {"text": " ".join(part for part in (given, family) if part)}
    if family:
        name["family"] = family
    if given:
        name["given"] = [given]
    return name


def _condition(c: ConditionData, patient_id: str) -> dict[str, Any]:
    status = ClinicalStatus.ACTIVE if c.active else ClinicalStatus.RESOLVED
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": c.id,
        "clinicalStatus": {"coding": [_coding(CLINICAL_STATUS_SYSTEM, status.value)]},
        "code": {
            "coding": [
                _coding(SNOMED, SCIATICA_SNOMED, "Sciatica"),
                _coding(ICD10CM, ICD_BY_SIDE[c.side]),
            ],
            "text": "Sciatica",
        },
        "subject": ref("Patient", patient_id),
        "onsetDateTime": c.started_on.isoformat(),
    }
    if c.abated_at:
        resource["abatementDateTime"] = _iso(c.abated_at)
    return resource


def _appointment(a: AppointmentData, patient_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": a.id,
        "status": APPOINTMENT_STATUS[a.status].value,
        "start": _iso(a.start),
        "end": _iso(a.end),
        "participant": [
            {"actor": ref("Patient", patient_id), "status": "accepted"},
            {"actor": ref("Practitioner", a.practitioner_id), "status": "accepted"},
            {"actor": ref("Location", a.location_id), "status": "accepted"},
        ],
    }


def _encounter(a: AppointmentData, patient_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "id": encounter_id(a.id),
        "status": EncounterStatus.FINISHED.value,
        "class": _coding(ACT_CODE_SYSTEM, "AMB", "ambulatory"),
        "subject": ref("Patient", patient_id),
        "appointment": [ref("Appointment", a.id)],
        "participant": [{"individual": ref("Practitioner", a.practitioner_id)}],
        "period": {"start": _iso(a.start), "end": _iso(a.end)},
        "location": [{"location": ref("Location", a.location_id)}],
    }


def encounter_id(appointment_id: str) -> str:
    return appointment_id.replace("appointment-", "encounter-", 1)


def _procedure(n: NoteData, patient_id: str) -> dict[str, Any]:
    base = n.appointment_id.removeprefix("appointment-")
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": f"procedure-{base}",
        "status": ProcedureStatus.COMPLETED.value,
        "code": {
            # SNOMED CT 387854002 "therapeutic massage", pending confirmation (docs/clinical.md).
            "coding": [_coding(SNOMED, MASSAGE_SNOMED, "Therapeutic massage")],
            "text": "Massage therapy",
        },
        "subject": ref("Patient", patient_id),
        "encounter": ref("Encounter", encounter_id(n.appointment_id)),
        "performedPeriod": {"start": _iso(n.start), "end": _iso(n.end)},
        "performer": [{"actor": ref("Practitioner", n.practitioner_id)}],
        "location": ref("Location", n.location_id),
    }
    if n.regions:
        resource["bodySite"] = [
            {
                "coding": [
                    _coding(BODY_MAP_SYSTEM, code, bodymap.REGIONS[code].label)
                    if code in bodymap.REGIONS
                    else _coding(BODY_MAP_SYSTEM, code)
                ]
            }
            for code in n.regions
        ]
    if n.techniques:
        resource["usedCode"] = [
            {"coding": [_coding(TECHNIQUE_SYSTEM, code, MODALITIES.get(code))]}
            for code in n.techniques
        ]
    return resource


def _note_observations(n: NoteData, patient_id: str) -> list[dict[str, Any]]:
    base = n.appointment_id.removeprefix("appointment-")
    found = []
    for moment, when, back, leg in (
        (Moment.BEFORE, n.start, n.back_pain_before, n.leg_pain_before),
        (Moment.AFTER, n.end, n.back_pain_after, n.leg_pain_after),
    ):
        if back is None and leg is None:
            continue
        found.append(
            _pain_observation(
                f"session-{base}-{moment.value}",
                patient_id,
                moment,
                _iso(when),
                back,
                leg,
                encounter_id=encounter_id(n.appointment_id),
            )
        )
    return found


def _diary_observation(p: PainData, patient_id: str) -> dict[str, Any]:
    resource = _pain_observation(
        p.id, patient_id, Moment.DIARY, p.day.isoformat(), p.back_pain, p.leg_pain
    )
    resource["extension"] += [{"url": DIARY_TAG_URL, "valueCode": tag} for tag in p.tags]
    if p.note:
        resource["note"] = [{"text": p.note}]
    return resource


def _questionnaire_response(q: QuestionnaireData, patient_id: str) -> dict[str, Any]:
    resource = {k: v for k, v in q.resource.items() if k not in ("id", "subject", "authored")}
    return {
        "resourceType": "QuestionnaireResponse",
        "id": q.id,
        **{k: v for k, v in resource.items() if k != "resourceType"},
        "subject": ref("Patient", patient_id),
        "authored": _iso(q.completed_at),
    }


def _score_observation(q: QuestionnaireData, patient_id: str) -> dict[str, Any]:
    instrument = INSTRUMENTS[q.instrument]
    codings = [_coding(INSTRUMENT_SYSTEM, instrument.code, instrument.title)]
    if instrument.loinc:
        codings.insert(0, _coding(LOINC, instrument.loinc))
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": q.id.replace("qr-", "score-", 1),
        "status": ObservationStatus.FINAL.value,
        "category": [{"coding": [_coding(CATEGORY_SYSTEM, "survey")]}],
        "code": {"coding": codings, "text": f"{instrument.title} score"},
        "subject": ref("Patient", patient_id),
        "effectiveDateTime": _iso(q.completed_at),
        "valueQuantity": {"value": q.score, "unit": "{score}", "system": UCUM, "code": "{score}"},
        "derivedFrom": [ref("QuestionnaireResponse", q.id)],
    }
    if q.band:
        resource["interpretation"] = [{"text": q.band}]
    return resource


def _sort_key(resource: Mapping[str, Any]) -> tuple[int, str]:
    kind = resource["resourceType"]
    rank = RESOURCE_ORDER.index(kind) if kind in RESOURCE_ORDER else len(RESOURCE_ORDER)
    return rank, str(resource["id"])


def build_bundle(record: PatientRecord, *, base_url: str) -> dict[str, Any]:
    """The record as a FHIR R4 Bundle (JSON dict), entries in a stable order; ``base_url`` is
    this instance's FHIR base (``SITE_URL`` + ``/fhir``)."""
    pid = record.patient.id
    resources: list[dict[str, Any]] = [_patient(record.patient)]
    resources += [
        {"resourceType": "Organization", "id": o.id, "name": o.name} for o in record.organizations
    ]
    resources += [
        {
            "resourceType": "Location",
            "id": loc.id,
            "name": loc.name,
            "address": {"text": loc.address},
            "position": {"latitude": loc.latitude, "longitude": loc.longitude},
            "managingOrganization": ref("Organization", loc.organization_id),
        }
        for loc in record.locations
    ]
    resources += [
        {"resourceType": "Practitioner", "id": p.id, "name": [_human_name(p.given, p.family)]}
        for p in record.practitioners
    ]
    resources += [_condition(c, pid) for c in record.conditions]
    resources += [_appointment(a, pid) for a in record.appointments]
    resources += [_encounter(a, pid) for a in record.appointments if a.status == "completed"]
    for note in record.notes:
        resources.append(_procedure(note, pid))
        resources += _note_observations(note, pid)
    resources += [_diary_observation(p, pid) for p in record.pain]
    for q in record.questionnaires:
        resources.append(_questionnaire_response(q, pid))
        resources.append(_score_observation(q, pid))
    # Kept from an import; our own resources win if an id were ever the same.
    seen = {(r["resourceType"], r["id"]) for r in resources}
    resources += [dict(r) for r in record.external if (r["resourceType"], r["id"]) not in seen]
    resources.sort(key=_sort_key)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": full_url(base_url, r["resourceType"], r["id"]), "resource": r}
            for r in resources
        ],
    }


# ----------------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------------


def _location(loc: Iterable[int | str]) -> str:
    return ".".join(str(part) for part in loc) or "Bundle"


def structure_problems(data: object) -> list[str]:
    """What ``fhir.resources.R4B`` finds wrong with a Bundle (empty: structurally valid R4)."""
    if not isinstance(data, Mapping) or data.get("resourceType") != "Bundle":
        return ["not a FHIR Bundle (resourceType must be 'Bundle')"]
    try:
        get_fhir_model_class("Bundle").model_validate(dict(data))
    except pydantic.ValidationError as error:
        return [f"{_location(e['loc'])}: {e['msg']}" for e in error.errors()]
    return []


def _codes(concept: object, system: str) -> list[str]:
    if not isinstance(concept, Mapping):
        return []
    return [
        str(c.get("code"))
        for c in concept.get("coding") or []
        if isinstance(c, Mapping) and c.get("system") == system
    ]


def _pain_problems(where: str, resource: Mapping[str, Any]) -> list[str]:
    problems = []
    sites = []
    for i, component in enumerate(resource.get("component") or []):
        site = _codes(component.get("code"), PAIN_SITE_SYSTEM)
        if PAIN_LOINC not in _codes(component.get("code"), LOINC) or len(site) != 1:
            problems.append(f"{where}.component[{i}]: needs LOINC {PAIN_LOINC} and one pain-site")
            continue
        if site[0] not in PainSite:
            problems.append(f"{where}.component[{i}]: unknown pain site {site[0]!r}")
        sites.append(site[0])
        value = component.get("valueInteger")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
            problems.append(f"{where}.component[{i}]: pain must be a whole number 0-10")
    if not sites:
        problems.append(f"{where}: a pain observation needs a back or leg component")
    if "encounter" not in resource and sorted(sites) != sorted(PainSite):
        problems.append(f"{where}: a diary entry needs both back and leg pain")
    if not isinstance(resource.get("effectiveDateTime"), str):
        problems.append(f"{where}.effectiveDateTime: required")
    if len(sites) != len(set(sites)):
        problems.append(f"{where}: a pain site appears twice")
    moments = [
        e.get("valueCode") for e in resource.get("extension") or [] if e.get("url") == MOMENT_URL
    ]
    if len(moments) != 1 or moments[0] not in Moment:
        problems.append(f"{where}: needs one pain-moment extension ({', '.join(Moment)})")
    for e in resource.get("extension") or []:
        if e.get("url") == DIARY_TAG_URL and e.get("valueCode") not in DIARY_TAGS:
            problems.append(f"{where}: unknown diary tag {e.get('valueCode')!r}")
    return problems


def _observation_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    if r.get("status") not in ObservationStatus:
        return [f"{where}.status: {r.get('status')!r} is not one of ours"]
    if PAIN_LOINC in _codes(r.get("code"), LOINC) and "component" in r:
        return _pain_problems(where, r)
    instruments = _codes(r.get("code"), INSTRUMENT_SYSTEM)
    if len(instruments) != 1 or instruments[0] not in INSTRUMENTS:
        return [f"{where}.code: neither pain 0-10 nor a known instrument score"]
    instrument = INSTRUMENTS[instruments[0]]
    problems = []
    if instrument.loinc and instrument.loinc not in _codes(r.get("code"), LOINC):
        problems.append(f"{where}.code: {instrument.code} needs LOINC {instrument.loinc}")
    value = (r.get("valueQuantity") or {}).get("value")
    if not isinstance(value, int | float) or not (
        instrument.score_min <= value <= instrument.score_max
    ):
        problems.append(f"{where}.valueQuantity: score outside {instrument.code}'s range")
    return problems


def _procedure_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    problems = []
    if r.get("status") not in ProcedureStatus:
        problems.append(f"{where}.status: {r.get('status')!r} is not one of ours")
    if MASSAGE_SNOMED not in _codes(r.get("code"), SNOMED):
        problems.append(f"{where}.code: needs SNOMED CT {MASSAGE_SNOMED} (massage)")
    for i, site in enumerate(r.get("bodySite") or []):
        codes = _codes(site, BODY_MAP_SYSTEM)
        if not codes or any(c not in bodymap.REGIONS for c in codes):
            problems.append(f"{where}.bodySite[{i}]: not a body-map region code")
    for i, used in enumerate(r.get("usedCode") or []):
        if any(c not in MODALITIES for c in _codes(used, TECHNIQUE_SYSTEM)):
            problems.append(f"{where}.usedCode[{i}]: not a technique code")
    return problems


def _condition_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    problems = []
    if SCIATICA_SNOMED not in _codes(r.get("code"), SNOMED):
        problems.append(f"{where}.code: needs SNOMED CT {SCIATICA_SNOMED} (sciatica)")
    if any(c not in ICD_BY_SIDE.values() for c in _codes(r.get("code"), ICD10CM)):
        problems.append(f"{where}.code: ICD-10-CM must be one of M54.30, M54.31, M54.32")
    if any(
        c not in ClinicalStatus for c in _codes(r.get("clinicalStatus"), CLINICAL_STATUS_SYSTEM)
    ):
        problems.append(f"{where}.clinicalStatus: not one of ours")
    if not str(r.get("onsetDateTime", "")):
        problems.append(f"{where}.onsetDateTime: required")
    return problems


def _questionnaire_response_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    if r.get("status") not in ResponseStatus:
        return [f"{where}.status: {r.get('status')!r} is not one of ours"]
    url = str(r.get("questionnaire", "")).split("|", 1)[0]
    if url not in {i.url for i in INSTRUMENTS.values()}:
        return [f"{where}.questionnaire: not one of our instruments"]
    if not isinstance(r.get("authored"), str) or "T" not in r["authored"]:
        return [f"{where}.authored: a date and time with an offset is required"]
    return []


def _status_problems(statuses: Any) -> Callable[[str, Mapping[str, Any]], list[str]]:
    def problems(where: str, r: Mapping[str, Any]) -> list[str]:
        if r.get("status") not in statuses:
            return [f"{where}.status: {r.get('status')!r} is not one of ours"]
        return []

    return problems


_PROBLEMS_BY_KIND: dict[str, Callable[[str, Mapping[str, Any]], list[str]]] = {
    "Appointment": _status_problems(AppointmentStatus),
    "Encounter": _status_problems(EncounterStatus),
    "Procedure": _procedure_problems,
    "Condition": _condition_problems,
    "QuestionnaireResponse": _questionnaire_response_problems,
    "Observation": _observation_problems,
}


def _resource_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    check = _PROBLEMS_BY_KIND.get(str(r.get("resourceType")))
    return check(where, r) if check else []


def validate_codes(bundle: Mapping[str, Any]) -> list[str]:
    """Code values, ids and fullUrls checked against our enums (empty: all ours).

    Assumes :func:`structure_problems` found nothing.
    """
    problems: list[str] = []
    if bundle.get("type") != "collection":
        problems.append("Bundle.type: must be 'collection'")
    seen: set[str] = set()
    for i, entry in enumerate(bundle.get("entry") or []):
        r = entry.get("resource") or {}
        kind, rid = r.get("resourceType"), str(r.get("id", ""))
        where = f"entry[{i}] {kind}/{rid}"
        if kind not in RESOURCE_ORDER:
            problems.append(f"{where}: resource type not part of a Sciaticare record")
            continue
        if not _ID.match(rid):
            problems.append(f"{where}: needs an id")
            continue
        if not _FULL_URL.match(str(entry.get("fullUrl", ""))) or not str(entry["fullUrl"]).endswith(
            f"/{kind}/{rid}"
        ):
            problems.append(f"{where}: fullUrl must be an http(s) URL ending in /{kind}/{rid}")
        if f"{kind}/{rid}" in seen:
            problems.append(f"{where}: appears twice")
        seen.add(f"{kind}/{rid}")
        problems += _resource_problems(where, r)
    if (
        sum(
            1
            for e in bundle.get("entry") or []
            if (e.get("resource") or {}).get("resourceType") == "Patient"
        )
        != 1
    ):
        problems.append("Bundle: needs exactly one Patient")
    problems += other_patient_references(bundle)
    return problems


def _references(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def other_patient_references(bundle: Mapping[str, Any]) -> list[str]:
    """Entries that point at a patient other than the Bundle's own: a record holds one person's
    data, and an import would otherwise keep (and export again) a reference to someone else."""
    entries = bundle.get("entry") or []
    resources = [e.get("resource") or {} for e in entries]
    own = {str(r.get("id")) for r in resources if r.get("resourceType") == "Patient"}
    problems = []
    for i, r in enumerate(resources):
        if r.get("resourceType") == "Patient":
            continue
        for reference in _references(r):
            found = _PATIENT_REFERENCE.search(reference)
            if found and found.group(1) not in own:
                where = f"entry[{i}] {r.get('resourceType')}/{r.get('id')}"
                problems.append(
                    f"{where}: refers to {reference}, not to this record's patient "
                    f"({', '.join(f'Patient/{p}' for p in sorted(own)) or 'none'})"
                )
    return problems


# ----------------------------------------------------------------------------------------------
# Import
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedQuestionnaire:
    instrument: str
    version: str
    resource: Mapping[str, Any]
    completed_at: datetime
    source: str = ""  # QuestionnaireResponse/<id>, to name it in a refusal


@dataclass
class ImportedHistory:
    """What a Bundle holds for import. ``external``: another system's sessions (Organization,
    Location, Practitioner, Appointment, Encounter, Procedure and the session pain
    Observations), kept verbatim as read-only history with the patient reference blanked; the
    Conditions are kept there too, beside the episodes made from them, for their coded side.
    ``source_base`` is the FHIR base of the system that exported it (from the Patient's
    fullUrl)."""

    source_patient_id: str
    source_base: str = ""
    conditions: list[ConditionData] = field(default_factory=list)
    pain: list[PainData] = field(default_factory=list)
    questionnaires: list[ImportedQuestionnaire] = field(default_factory=list)
    external: list[dict[str, Any]] = field(default_factory=list)


EXTERNAL_TYPES: Final = frozenset(
    {"Organization", "Location", "Practitioner", "Appointment", "Encounter", "Procedure"}
)
PATIENT_PLACEHOLDER: Final = "Patient/-"


def repoint(value: Any, old: str, new: str) -> Any:
    """``value`` with every ``{"reference": old}`` replaced by ``new``."""
    if isinstance(value, Mapping):
        return {
            k: (new if k == "reference" and v == old else repoint(v, old, new))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [repoint(v, old, new) for v in value]
    return value


def _datetime(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone offset")
    return moment


def condition_side(condition: Mapping[str, Any]) -> str | None:
    for side, code in ICD_BY_SIDE.items():
        if code in _codes(condition.get("code"), ICD10CM):
            return side
    return None


def _pain_values(resource: Mapping[str, Any]) -> dict[str, int]:
    return {
        _codes(c["code"], PAIN_SITE_SYSTEM)[0]: c["valueInteger"]
        for c in resource.get("component") or []
    }


def parse_bundle(data: Mapping[str, Any]) -> ImportedHistory:
    """The history in a Bundle that passed :func:`structure_problems` and
    :func:`validate_codes`. Score Observations are left out (the import re-scores the
    QuestionnaireResponses), and so is the Patient (the importer is the patient)."""
    entries = data.get("entry") or []
    resources = [e["resource"] for e in entries]
    patient_entry = next(e for e in entries if e["resource"]["resourceType"] == "Patient")
    patient = patient_entry["resource"]
    source = f"Patient/{patient['id']}"
    history = ImportedHistory(
        source_patient_id=str(patient["id"]),
        source_base=str(patient_entry["fullUrl"]).removesuffix(f"/{source}"),
    )
    for r in resources:
        kind = r["resourceType"]
        if kind == "Condition":
            abated = r.get("abatementDateTime")
            statuses = _codes(r.get("clinicalStatus"), CLINICAL_STATUS_SYSTEM)
            history.conditions.append(
                ConditionData(
                    started_on=date.fromisoformat(str(r["onsetDateTime"])[:10]),
                    active=not abated and (not statuses or ClinicalStatus.ACTIVE in statuses),
                    abated_at=_datetime(abated) if abated else None,
                    side=condition_side(r),
                )
            )
            # Kept too: the side (ICD-10-CM) lives on the intake, which an import cannot make.
            history.external.append(repoint(r, source, PATIENT_PLACEHOLDER))
        elif kind == "QuestionnaireResponse":
            canonical = str(r["questionnaire"])
            url, _, version = canonical.partition("|")
            code = next(i.code for i in INSTRUMENTS.values() if i.url == url)
            history.questionnaires.append(
                ImportedQuestionnaire(
                    instrument=code,
                    version=version or "1.0",
                    resource={k: v for k, v in r.items() if k not in ("id", "subject", "authored")},
                    completed_at=_datetime(str(r["authored"])),
                    source=f"QuestionnaireResponse/{r['id']}",
                )
            )
        elif kind == "Observation" and "component" in r and "encounter" not in r:
            values = _pain_values(r)
            history.pain.append(
                PainData(
                    day=date.fromisoformat(str(r["effectiveDateTime"])[:10]),
                    back_pain=values.get(PainSite.BACK, 0),
                    leg_pain=values.get(PainSite.LEG, 0),
                    note=" ".join(n.get("text", "") for n in r.get("note") or []),
                    tags=[
                        e["valueCode"]
                        for e in r.get("extension") or []
                        if e.get("url") == DIARY_TAG_URL
                    ],
                    source=f"Observation/{r['id']}",
                )
            )
        elif kind in EXTERNAL_TYPES or (kind == "Observation" and "encounter" in r):
            history.external.append(repoint(r, source, PATIENT_PLACEHOLDER))
    return history
