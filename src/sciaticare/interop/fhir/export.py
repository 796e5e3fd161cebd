"""Building the export: a :class:`~sciaticare.interop.fhir.record.PatientRecord` as a FHIR R4
``Bundle`` (type ``collection``), its resources in a stable order with stable ids."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sciaticare.directory.ranking import MODALITIES
from sciaticare.intake import bodymap
from sciaticare.intake.scoring.instruments import INSTRUMENTS
from sciaticare.interop.fhir.codes import (
    ACT_CODE_SYSTEM,
    APPOINTMENT_STATUS,
    BODY_MAP_SYSTEM,
    CATEGORY_SYSTEM,
    CLINICAL_STATUS_SYSTEM,
    CPT_SYSTEM,
    DIARY_TAG_URL,
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
    UCUM,
    ClinicalStatus,
    EncounterStatus,
    Moment,
    ObservationStatus,
    PainSite,
    ProcedureStatus,
)
from sciaticare.interop.fhir.programme import resources as programme_resources
from sciaticare.interop.fhir.record import (
    AppointmentData,
    ConditionData,
    InvoiceData,
    NoteData,
    PainData,
    PatientData,
    PatientRecord,
    QuestionnaireData,
)


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
                _coding(ICD10CM, bodymap.SCIATICA_ICD10CM[c.side]),
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


def _money(value: Decimal, currency: str) -> dict[str, Any]:
    return {"value": value, "currency": currency}


def _line_taxes(invoice: InvoiceData) -> list[Decimal]:
    """The invoice's tax shared over its lines in proportion, each rounded to the cent, the
    last line taking what is left, so that the lines' taxes add up to the invoice's exactly."""
    taxes: list[Decimal] = []
    for line in invoice.lines[:-1]:
        share = line.amount * invoice.tax / invoice.subtotal if invoice.subtotal else Decimal(0)
        taxes.append(share.quantize(invoice.tax))
    taxes.append(invoice.tax - sum(taxes, Decimal(0)))
    return taxes


def _invoice(i: InvoiceData, patient_id: str) -> dict[str, Any]:
    """An issued invoice as FHIR R4 ``Invoice``: each line's price before tax (``base``) and its
    share of the tax (``tax``, the factor the rate), the totals before and after tax, and the
    refunds and credit notes as notes."""
    items = []
    for n, (line, tax) in enumerate(zip(i.lines, _line_taxes(i), strict=True), start=1):
        concept: dict[str, Any] = {"text": line.description}
        if line.code:
            concept["coding"] = [_coding(CPT_SYSTEM, line.code)]
        components: list[dict[str, Any]] = [
            {"type": "base", "factor": line.quantity, "amount": _money(line.amount, i.currency)}
        ]
        if i.tax_percent:
            components.append(
                {
                    "type": "tax",
                    "factor": i.tax_percent / 100,
                    "amount": _money(tax, i.currency),
                }
            )
        items.append(
            {"sequence": n, "chargeItemCodeableConcept": concept, "priceComponent": components}
        )
    resource: dict[str, Any] = {
        "resourceType": "Invoice",
        "id": i.id,
        "identifier": [{"value": i.number}],
        "status": i.status,
        "type": {"text": i.purpose},
        "subject": ref("Patient", patient_id),
        "date": _iso(i.issued_at),
        "issuer": ref("Organization", i.organization_id),
        "lineItem": items,
        "totalNet": _money(i.subtotal, i.currency),
        "totalGross": _money(i.total, i.currency),
    }
    if i.practitioner_id:
        resource["participant"] = [{"actor": ref("Practitioner", i.practitioner_id)}]
    if i.payment_terms:
        resource["paymentTerms"] = i.payment_terms
    if i.notes:
        resource["note"] = [{"text": text} for text in i.notes]
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
    for programme in record.care_plans:
        resources += programme_resources(programme, ref("Patient", pid))
    resources += [_invoice(i, pid) for i in record.invoices]
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


def _marked(value: Any, token: str) -> Any:
    if isinstance(value, Decimal):
        return f"{token}{value:f}{token}"
    if isinstance(value, Mapping):
        return {k: _marked(v, token) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(v, token) for v in value]
    return value


def bundle_json(bundle: Mapping[str, Any], *, indent: int | None = None) -> str:
    """The Bundle as JSON text, its amounts (Decimal) written as exact JSON numbers ("30.00"
    stays 30.00: FHIR's decimal keeps its precision, and no float ever holds money). Each
    amount goes through `json` as a string between two copies of a random token, then loses
    its quotes: no text in the record can look like one."""
    token = f"decimal{secrets.token_hex(8)}"
    text = json.dumps(_marked(bundle, token), indent=indent, ensure_ascii=False)
    return re.sub(rf'"{token}(-?[0-9]+(?:\.[0-9]+)?){token}"', r"\1", text)
