"""The FHIR Bundle as plain values: every resource valid R4B, our codes, our ids."""

import copy
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from sciaticare.intake.scoring.response import response_to_fhir
from sciaticare.intake.scoring.rules import score
from sciaticare.interop.fhir.checks import structure_problems, validate_codes
from sciaticare.interop.fhir.codes import (
    BODY_MAP_SYSTEM,
    DIARY_TAG_URL,
    DIARY_TAGS,
    INSTRUMENT_SYSTEM,
    RESOURCE_ORDER,
)
from sciaticare.interop.fhir.export import build_bundle
from sciaticare.interop.fhir.imported import parse_bundle
from sciaticare.interop.fhir.record import (
    ActivityData,
    AdherenceWeekData,
    AppointmentData,
    CarePlanData,
    ConditionData,
    InvoiceData,
    InvoiceLineData,
    LocationData,
    NoteData,
    OrganizationData,
    PainData,
    PatientData,
    PatientRecord,
    PractitionerData,
    QuestionnaireData,
)

BASE = "https://clinic.example.org/fhir"

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _questionnaire(code: str, answers: dict[str, Any], when: datetime) -> QuestionnaireData:
    result = score(code, answers)
    resource = response_to_fhir(code, answers, result, questionnaire_version="1.0")
    return QuestionnaireData(code, resource, result.value, result.band or "", when)


def record() -> PatientRecord:
    appointment = AppointmentData(
        "appointment-7",
        "completed",
        START,
        START + timedelta(hours=1),
        "practitioner-3",
        "location-2",
    )
    return PatientRecord(
        patient=PatientData("patient-1", "Odalys", "Fenwick", "o@example.org"),
        organizations=[OrganizationData("organization-1", "Back Care Clinic")],
        locations=[
            LocationData("location-2", "Didsbury", "1 Oxford Rd", "organization-1", 53.4, -2.2)
        ],
        practitioners=[PractitionerData("practitioner-3", "Ada", "Moss")],
        conditions=[ConditionData(date(2026, 10, 1), side="left")],
        appointments=[
            appointment,
            AppointmentData(
                "appointment-8",
                "booked",
                START + timedelta(days=7),
                START + timedelta(days=7, hours=1),
                "practitioner-3",
                "location-2",
            ),
        ],
        notes=[
            NoteData(
                "appointment-7",
                "practitioner-3",
                "location-2",
                appointment.start,
                appointment.end,
                signed_at=appointment.end,
                regions=["left_buttock", "left_calf"],
                techniques=["swedish"],
                back_pain_before=6,
                back_pain_after=4,
                leg_pain_before=7,
                leg_pain_after=5,
            )
        ],
        pain=[PainData(date(2026, 11, 3), 5, 6, "stiff", ["after_massage"])],
        questionnaires=[
            _questionnaire("peg", {"peg-1": 6, "peg-2": 5, "peg-3": 7}, START),
            _questionnaire("nrs-back", {"nrs-back-1": 6}, START),
        ],
        invoices=[INVOICE],
        care_plans=[PROGRAMME],
    )


#: A US session in CPT units (one unit carries the cent left over), with 8.25 % sales tax.
INVOICE = InvoiceData(
    id="invoice-5",
    number="C1-2026-000005",
    status="issued",
    purpose="Session",
    issued_at=START + timedelta(hours=1),
    currency="USD",
    organization_id="organization-1",
    practitioner_id="practitioner-3",
    tax_percent=Decimal("8.25"),
    subtotal=Decimal("90.01"),
    tax=Decimal("7.43"),
    total=Decimal("97.44"),
    lines=[
        InvoiceLineData("Therapeutic massage, 15 min", "97124", 3, Decimal("67.50")),
        InvoiceLineData("Therapeutic massage, 15 min", "97124", 1, Decimal("22.51")),
    ],
    payment_terms="97.44 USD to pay",
)


#: A home exercise programme of one exercise, with one whole week.
PROGRAMME = CarePlanData(
    id="careplan-4",
    active=True,
    start=date(2026, 11, 2),
    end=date(2026, 11, 30),
    origin="therapist",
    activities=[ActivityData("Knee to chest", "knee-to-chest", ["mon", "wed", "fri"], 2, 3, 10, 0)],
    weeks=[AdherenceWeekData(date(2026, 11, 2), 6, 4)],
)


def _codings(bundle: dict[str, Any], kind: str) -> set[tuple[str, str]]:
    found = set()
    for entry in bundle["entry"]:
        r = entry["resource"]
        if r["resourceType"] == kind:
            for coding in r.get("code", {}).get("coding", []):
                found.add((coding["system"], coding["code"]))
    return found


def test_every_resource_and_the_bundle_validate_with_r4b():
    bundle = build_bundle(record(), base_url=BASE)

    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert kinds == set(RESOURCE_ORDER)
    assert structure_problems(bundle) == []
    assert validate_codes(bundle) == []


def test_the_clinical_codes_are_the_ones_clinical_md_gives():
    bundle = build_bundle(record(), base_url=BASE)

    assert _codings(bundle, "Condition") == {
        ("http://snomed.info/sct", "23056005"),
        ("http://hl7.org/fhir/sid/icd-10-cm", "M54.32"),
    }
    assert ("http://snomed.info/sct", "387854002") in _codings(bundle, "Procedure")
    observations = _codings(bundle, "Observation")
    assert ("http://loinc.org", "72514-3") in observations
    assert (INSTRUMENT_SYSTEM, "peg") in observations  # PEG has no verified LOINC


def test_one_pain_observation_per_diary_day_and_per_session_moment():
    bundle = build_bundle(record(), base_url=BASE)
    pain = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        and "component" in e["resource"]
        # The home programme's weeks have components too (planned, done): not pain.
        and not e["resource"]["id"].startswith("adherence-")
    ]

    assert sorted(r["id"] for r in pain) == [
        "pain-2026-11-03",
        "session-7-after-session",
        "session-7-before-session",
    ]
    session = next(r for r in pain if r["id"] == "session-7-before-session")
    assert session["encounter"] == {"reference": "Encounter/encounter-7"}
    assert [c["valueInteger"] for c in session["component"]] == [6, 7]


def test_ids_and_full_urls_are_stable_and_absolute():
    first, second = (
        build_bundle(record(), base_url=BASE),
        build_bundle(record(), base_url=BASE),
    )

    assert first == second
    for entry in first["entry"]:
        r = entry["resource"]
        assert entry["fullUrl"] == f"{BASE}/{r['resourceType']}/{r['id']}"
    encounters = [e for e in first["entry"] if e["resource"]["resourceType"] == "Encounter"]
    assert [e["resource"]["id"] for e in encounters] == ["encounter-7"]  # completed only


def _broken(path: str, value: Any) -> list[str]:
    bundle = build_bundle(record(), base_url=BASE)
    kind, key = path.split(".", 1)
    resource = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)
    resource[key] = value
    return validate_codes(bundle)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("Appointment.status", "arrived"),
        ("Encounter.status", "in-progress"),
        ("Procedure.status", "preparation"),
        ("Procedure.bodySite", [{"coding": [{"system": BODY_MAP_SYSTEM, "code": "nose"}]}]),
        ("Procedure.code", {"coding": [{"system": "http://snomed.info/sct", "code": "1"}]}),
        ("Condition.code", {"coding": [{"system": "http://snomed.info/sct", "code": "279039007"}]}),
        ("QuestionnaireResponse.questionnaire", "https://elsewhere.example/q|1"),
        ("QuestionnaireResponse.status", "in-progress"),
    ],
)
def test_code_values_that_are_not_ours_are_named(path, value):
    problems = _broken(path, value)

    assert problems
    assert any(path.split(".")[0] in p for p in problems)


def test_pain_out_of_range_and_unknown_tags_are_refused():
    bundle = build_bundle(record(), base_url=BASE)
    diary = next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == "pain-2026-11-03")
    diary["component"][0]["valueInteger"] = 11
    diary["extension"].append({"url": DIARY_TAG_URL, "valueCode": "party"})

    problems = validate_codes(bundle)

    assert any("0-10" in p for p in problems)
    assert any("party" in p for p in problems)


def test_structure_problems_come_from_r4b():
    bundle = build_bundle(record(), base_url=BASE)
    broken = copy.deepcopy(bundle)
    broken["entry"][0]["resource"]["colour"] = "blue"

    assert structure_problems(bundle) == []
    assert any("colour" in p for p in structure_problems(broken))
    assert structure_problems({"resourceType": "Patient"})


def test_parse_bundle_reads_back_what_was_built():
    bundle = build_bundle(record(), base_url=BASE)

    history = parse_bundle(bundle)

    assert history.source_patient_id == "patient-1"
    assert history.conditions == [ConditionData(date(2026, 10, 1), side="left")]
    assert history.pain == [PainData(date(2026, 11, 3), 5, 6, "stiff", ["after_massage"])]
    assert [q.instrument for q in history.questionnaires] == ["nrs-back", "peg"]  # sorted by id
    external = {f"{r['resourceType']}/{r['id']}" for r in history.external}
    assert "Appointment/appointment-7" in external
    assert "Observation/session-7-before-session" in external
    assert "Observation/pain-2026-11-03" not in external
    assert all("patient-1" not in str(r) for r in history.external)


def test_diary_tags_match_the_outcomes_app():
    from sciaticare.outcomes.models import Tag

    assert set(Tag.values) == DIARY_TAGS


def test_an_invoices_lines_share_its_tax_to_the_cent() -> None:
    bundle = build_bundle(record(), base_url=BASE)
    (invoice,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Invoice"
    ]

    taxes = [
        c["amount"]["value"]
        for i in invoice["lineItem"]
        for c in i["priceComponent"]
        if c["type"] == "tax"
    ]
    bases = [
        c["amount"]["value"]
        for i in invoice["lineItem"]
        for c in i["priceComponent"]
        if c["type"] == "base"
    ]

    assert taxes == [Decimal("5.57"), Decimal("1.86")]
    assert sum(taxes) == INVOICE.tax
    assert sum(bases) == invoice["totalNet"]["value"] == INVOICE.subtotal
    assert invoice["totalGross"] == {"value": Decimal("97.44"), "currency": "USD"}
    assert invoice["lineItem"][0]["chargeItemCodeableConcept"]["coding"] == [
        {"system": "http://www.ama-assn.org/go/cpt", "code": "97124"}
    ]
