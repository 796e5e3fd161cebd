"""Reading an imported Bundle, once it passed the checks (``checks``), into plain values: the
episodes, diary days and questionnaire responses that become ours, and another system's
sessions kept verbatim as history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.interop.fhir.codes import (
    CLINICAL_STATUS_SYSTEM,
    DIARY_TAG_URL,
    PAIN_SITE_SYSTEM,
    ClinicalStatus,
    PainSite,
    codes_in,
    condition_side,
)
from sciaticare.interop.fhir.programme import is_adherence
from sciaticare.interop.fhir.record import ConditionData, PainData


@dataclass(frozen=True)
class Skipped:
    """A resource of an imported Bundle that was not imported, and why."""

    resource: str  # "Observation/<id>", or "entry[<index>] Observation" without an id
    reason: str


@dataclass(frozen=True)
class ImportSummary:
    """What an import added; ``skipped`` counts what was not (already there, or, in a Bundle
    from another system, not taken), and ``skipped_resources`` says why for the latter."""

    episodes: int = 0
    pain_entries: int = 0
    questionnaires: int = 0
    history: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    skipped_resources: list[Skipped] = field(default_factory=list)


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
    Observations) and home exercise programmes (CarePlan, the adherence Observations), kept
    verbatim as read-only history with the patient reference blanked; the
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
    {
        "Organization",
        "Location",
        "Practitioner",
        "Appointment",
        "Encounter",
        "Procedure",
        "Invoice",
        "CarePlan",
    }
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


def _pain_values(resource: Mapping[str, Any]) -> dict[str, int]:
    return {
        codes_in(c["code"], PAIN_SITE_SYSTEM)[0]: c["valueInteger"]
        for c in resource.get("component") or []
    }


def parse_bundle(data: Mapping[str, Any]) -> ImportedHistory:
    """The history in a Bundle that passed the checks (``checks.structure_problems`` and
    ``checks.validate_codes``). Score Observations are left out (the import re-scores the
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
            statuses = codes_in(r.get("clinicalStatus"), CLINICAL_STATUS_SYSTEM)
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
        elif (
            kind == "Observation"
            and "component" in r
            and "encounter" not in r
            and not is_adherence(r)
        ):
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
        elif kind in EXTERNAL_TYPES or (
            kind == "Observation" and ("encounter" in r or is_adherence(r))
        ):
            history.external.append(repoint(r, source, PATIENT_PLACEHOLDER))
    return history
