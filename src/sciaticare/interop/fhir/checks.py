"""Checking an imported Bundle before it is read: its structure (``fhir.resources.R4B``, which
checks structure only, not code values: docs/dependencies.md), then every code value, id,
fullUrl and patient reference against our own (:func:`validate_codes`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pydantic
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.directory.ranking import MODALITIES
from sciaticare.intake import bodymap
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.interop.fhir.codes import (
    BODY_MAP_SYSTEM,
    CLINICAL_STATUS_SYSTEM,
    DIARY_TAG_URL,
    DIARY_TAGS,
    ICD10CM,
    INSTRUMENT_SYSTEM,
    LOINC,
    MASSAGE_SNOMED,
    MOMENT_URL,
    PAIN_LOINC,
    PAIN_SITE_SYSTEM,
    RESOURCE_ORDER,
    SCIATICA_SNOMED,
    SNOMED,
    TECHNIQUE_SYSTEM,
    AppointmentStatus,
    ClinicalStatus,
    EncounterStatus,
    InvoiceStatus,
    Moment,
    ObservationStatus,
    PainSite,
    ProcedureStatus,
    ResponseStatus,
    codes_in,
)
from sciaticare.interop.fhir.programme import (
    adherence_problems,
    care_plan_problems,
    is_adherence,
)

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_FULL_URL = re.compile(r"^https?://[^\s/]+(/[^\s]*)?$")
_PATIENT_REFERENCE = re.compile(r"(?:^|/)Patient/([^/]+)$")


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


def _pain_problems(where: str, resource: Mapping[str, Any]) -> list[str]:
    problems = []
    sites = []
    for i, component in enumerate(resource.get("component") or []):
        site = codes_in(component.get("code"), PAIN_SITE_SYSTEM)
        if PAIN_LOINC not in codes_in(component.get("code"), LOINC) or len(site) != 1:
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
    if PAIN_LOINC in codes_in(r.get("code"), LOINC) and "component" in r:
        return _pain_problems(where, r)
    if is_adherence(r):
        return adherence_problems(where, r)
    instruments = codes_in(r.get("code"), INSTRUMENT_SYSTEM)
    if len(instruments) != 1 or instruments[0] not in INSTRUMENTS:
        return [f"{where}.code: neither pain 0-10 nor a known instrument score"]
    instrument = INSTRUMENTS[instruments[0]]
    problems = []
    if instrument.loinc and instrument.loinc not in codes_in(r.get("code"), LOINC):
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
    if MASSAGE_SNOMED not in codes_in(r.get("code"), SNOMED):
        problems.append(f"{where}.code: needs SNOMED CT {MASSAGE_SNOMED} (massage)")
    for i, site in enumerate(r.get("bodySite") or []):
        codes = codes_in(site, BODY_MAP_SYSTEM)
        if not codes or any(c not in bodymap.REGIONS for c in codes):
            problems.append(f"{where}.bodySite[{i}]: not a body-map region code")
    for i, used in enumerate(r.get("usedCode") or []):
        if any(c not in MODALITIES for c in codes_in(used, TECHNIQUE_SYSTEM)):
            problems.append(f"{where}.usedCode[{i}]: not a technique code")
    return problems


def _condition_problems(where: str, r: Mapping[str, Any]) -> list[str]:
    problems = []
    if SCIATICA_SNOMED not in codes_in(r.get("code"), SNOMED):
        problems.append(f"{where}.code: needs SNOMED CT {SCIATICA_SNOMED} (sciatica)")
    if any(c not in bodymap.SCIATICA_ICD10CM.values() for c in codes_in(r.get("code"), ICD10CM)):
        problems.append(f"{where}.code: ICD-10-CM must be one of M54.30, M54.31, M54.32")
    if any(
        c not in ClinicalStatus for c in codes_in(r.get("clinicalStatus"), CLINICAL_STATUS_SYSTEM)
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
    "Invoice": _status_problems(InvoiceStatus),
    "Procedure": _procedure_problems,
    "Condition": _condition_problems,
    "QuestionnaireResponse": _questionnaire_response_problems,
    "Observation": _observation_problems,
    "CarePlan": care_plan_problems,
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
