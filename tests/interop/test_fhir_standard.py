"""Reading a Bundle another system made (interop/fhir/standard.py, pure): what each resource
becomes, what is skipped and why, and what refuses the Bundle whole."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sciaticare.interop.fhir.standard import (
    MAX_ENTRIES,
    BundleRefused,
    made_by_sciaticare,
    read_standard_bundle,
    resource_key,
)

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
BACK = {"coding": [{"system": SNOMED, "code": "37822005"}]}
LEG = {"coding": [{"system": SNOMED, "code": "61685007"}]}
ODI = "https://sciaticare.example/fhir/Questionnaire/odi"


def pain(value: Any = 5, site: dict | None = BACK, **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "72514-3"}]},
        "effectiveDateTime": "2026-03-02T09:00:00+00:00",
        "valueInteger": value,
    }
    if site is not None:
        resource["bodySite"] = site
    resource.update(extra)
    return {k: v for k, v in resource.items() if v is not None}


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def read(*resources: dict[str, Any], zone: str = "UTC", **kw: Any) -> Any:
    return read_standard_bundle(bundle(*resources, **kw), zone=zone)


def reasons(found: Any) -> list[str]:
    return [f"{s.resource}: {s.reason}" for s in found.skipped]


def odi(answers: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": ODI,
        "status": "completed",
        "authored": "2026-03-01T10:00:00+01:00",
        "item": [{"linkId": k, "answer": [{"valueInteger": v}]} for k, v in answers.items()],
        **extra,
    }


def sciatica(*codings: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "code": {"coding": [{"system": s, "code": c} for s, c in codings]},
        "subject": {"reference": "Patient/p1"},
        "onsetDateTime": "2026-02-20",
        **extra,
    }


# --- pain 0-10 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("back", "leg", "expected"),
    [
        (pain(6), pain(7, LEG), (6, 7)),
        (
            pain(None, valueQuantity={"value": 6, "unit": "score"}),
            pain(None, LEG, valueQuantity={"value": 7.0, "unit": "{score}"}),
            (6, 7),
        ),
        (
            pain(3, effectiveDateTime=None, effectivePeriod={"start": "2026-03-02T08:00:00Z"}),
            pain(4, LEG, effectiveDateTime="2026-03-02"),
            (3, 4),
        ),
        (pain(0, issued="2026-03-02T08:00:00Z", effectiveDateTime=None), pain(10, LEG), (0, 10)),
    ],
    ids=["valueInteger", "valueQuantity", "effectivePeriod-and-date", "issued"],
)
def test_a_back_and_a_leg_score_of_one_day_make_a_diary_day(back, leg, expected):
    found = read(back, leg)

    assert [(d.day, d.back_pain, d.leg_pain) for d in found.days] == [(date(2026, 3, 2), *expected)]
    assert found.skipped == []


@pytest.mark.parametrize(
    ("resource", "why"),
    [
        (pain(11), "outside 0-10"),
        (pain(-1), "outside 0-10"),
        (pain(None, valueQuantity={"value": 5.5}), "not a whole number"),
        (pain(None, valueQuantity={"value": 5, "unit": "mm"}), "unit"),
        (pain(None, valueString="bad"), "neither valueInteger nor valueQuantity"),
        (pain(site=None), "does not say whether it measures back or leg"),
        (pain(site={"coding": [{"system": SNOMED, "code": "46862004"}]}), "neither the lower back"),
        (pain(status="preliminary"), "preliminary"),
        (pain(effectiveDateTime="2026-03"), "not a whole day"),
        (pain(effectiveDateTime=None), "no date"),
    ],
)
def test_a_pain_score_that_cannot_be_a_diary_score_is_skipped_with_why(resource, why):
    found = read(resource, pain(5, LEG))

    assert found.days == []
    assert any(why in r for r in reasons(found)), reasons(found)


def test_a_day_with_one_site_only_is_skipped_and_says_which_is_missing():
    found = read(pain(6, id="b1"))

    assert found.days == []
    assert reasons(found) == [
        "Observation/b1: the diary keeps a day's back and leg pain together, and 2026-03-02 "
        "has no leg pain score"
    ]


def test_of_two_scores_of_one_site_and_day_the_last_taken_is_kept():
    early = pain(8, id="early", effectiveDateTime="2026-03-02T07:00:00+00:00")
    late = pain(3, id="late", effectiveDateTime="2026-03-02T19:00:00+00:00")

    found = read(late, early, pain(4, LEG))

    assert [(d.back_pain, d.leg_pain) for d in found.days] == [(3, 4)]
    assert [s.resource for s in found.skipped] == ["Observation/early"]


def test_the_day_is_the_patients_own():
    late_evening_in_new_york = "2026-03-02T23:30:00-05:00"  # 3 March in UTC

    found = read(
        pain(5, effectiveDateTime=late_evening_in_new_york),
        pain(6, LEG, effectiveDateTime=late_evening_in_new_york),
        zone="America/New_York",
    )

    assert [d.day for d in found.days] == [date(2026, 3, 2)]


def test_components_each_with_their_site_give_both_pains():
    panel = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "72514-3"}]},
        "effectiveDateTime": "2026-03-02T09:00:00+00:00",
        "component": [
            {
                "code": {"coding": [{"system": LOINC, "code": "72514-3"}, *BACK["coding"]]},
                "valueInteger": 2,
            },
            {
                "code": {"coding": [{"system": LOINC, "code": "72514-3"}, *LEG["coding"]]},
                "valueInteger": 5,
            },
        ],
    }

    assert [(d.back_pain, d.leg_pain) for d in read(panel).days] == [(2, 5)]


# --- questionnaires ---------------------------------------------------------------------------

ODI_ANSWERS = {f"odi-{n}": n % 6 for n in range(1, 11)}


@pytest.mark.parametrize(
    "named",
    [
        {"questionnaire": ODI},
        {"questionnaire": f"{ODI}|1.0"},
        {"questionnaire": "http://loinc.org/q/97908-8"},
        {
            "questionnaire": "#q",
            "contained": [
                {
                    "resourceType": "Questionnaire",
                    "id": "q",
                    "status": "active",
                    "code": [{"system": LOINC, "code": "97908-8"}],
                }
            ],
        },
        {"questionnaire": None, "identifier": {"system": LOINC, "value": "97908-8"}},
    ],
    ids=["canonical", "canonical-version", "loinc-q", "contained", "identifier"],
)
def test_an_odi_response_is_found_by_canonical_url_or_loinc_panel(named):
    found = read({k: v for k, v in {**odi(ODI_ANSWERS), **named}.items() if v is not None})

    assert [a.questionnaire.instrument for a in found.answers] == ["odi"], reasons(found)
    items = found.answers[0].questionnaire.resource["item"]
    assert {i["linkId"] for i in items} == set(ODI_ANSWERS)


def test_nested_items_ordinal_codings_and_headings_are_read_by_link_id():
    grouped = odi({})
    grouped["item"] = [
        {"linkId": "intro", "text": "Please answer every section"},
        {
            "linkId": "sections",
            "item": [
                {
                    "linkId": link_id,
                    "answer": [
                        {
                            "valueCoding": {
                                "code": f"LA{value}",
                                "extension": [
                                    {
                                        "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue",
                                        "valueDecimal": value,
                                    }
                                ],
                            }
                        }
                    ],
                }
                for link_id, value in ODI_ANSWERS.items()
            ],
        },
    ]

    found = read(grouped)

    items = found.answers[0].questionnaire.resource["item"]
    assert {i["linkId"]: i["answer"][0]["valueInteger"] for i in items} == ODI_ANSWERS


@pytest.mark.parametrize(
    ("resource", "why"),
    [
        (
            odi(ODI_ANSWERS, questionnaire="http://loinc.org/q/44249-1"),
            "not one of our instruments",
        ),
        (odi(ODI_ANSWERS, status="in-progress"), "in-progress"),
        (odi(ODI_ANSWERS, authored="2026-03-01"), "authored needs a date and time"),
        (odi({"/97908-8/1": 2}), "none of its items"),
    ],
)
def test_a_response_we_cannot_score_is_skipped_with_why(resource, why):
    found = read(resource)

    assert found.answers == []
    assert any(why in r for r in reasons(found)), reasons(found)


# --- conditions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codings", "side"),
    [
        ([(SNOMED, "23056005")], None),
        ([("http://hl7.org/fhir/sid/icd-10-cm", "M54.31")], "right"),
        ([(SNOMED, "23056005"), ("http://hl7.org/fhir/sid/icd-10-cm", "M54.32")], "left"),
        ([("http://hl7.org/fhir/sid/icd-10", "M54.3")], None),
    ],
)
def test_sciatica_becomes_an_episode_with_its_side(codings, side):
    found = read(sciatica(*codings))

    assert [(e.started_on, e.active, e.side) for e in found.episodes] == [
        (date(2026, 2, 20), True, side)
    ]


@pytest.mark.parametrize(
    ("resource", "why"),
    [
        (sciatica(("http://hl7.org/fhir/sid/icd-10-cm", "M54.5")), "not sciatica"),
        (sciatica((SNOMED, "23056005"), onsetDateTime=None), "no onset"),
        (
            sciatica(
                (SNOMED, "23056005"),
                verificationStatus={
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                            "code": "refuted",
                        }
                    ]
                },
            ),
            "not so",
        ),
    ],
)
def test_a_condition_that_is_not_an_episode_is_skipped_with_why(resource, why):
    found = read({k: v for k, v in resource.items() if v is not None})

    assert found.episodes == []
    assert any(why in r for r in reasons(found)), reasons(found)


def test_a_resolved_or_abated_sciatica_is_a_closed_episode():
    found = read(sciatica((SNOMED, "23056005"), abatementDateTime="2026-03-01"))

    assert [e.active for e in found.episodes] == [False]


# --- the rest ---------------------------------------------------------------------------------


def test_other_resources_invalid_ones_and_the_patient_are_skipped_by_name_or_index():
    found = read(
        {"resourceType": "Patient", "id": "p1"},
        {"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/p1"}},
        {"resourceType": "Observation", "status": "final", "code": {"text": "BP"}},
        {"resourceType": "Observation", "status": "final", "nonsense": 1},
        {"resourceType": "Nonsense"},
    )

    assert [s.resource for s in found.skipped] == [
        "Patient/p1",
        "entry[1] AllergyIntolerance",
        "entry[2] Observation",
        "entry[3] Observation",
        "entry[4] Nonsense",
    ]
    assert "not valid FHIR R4" in found.skipped[3].reason


def test_resources_imported_before_or_twice_in_the_bundle_are_skipped():
    back, leg = pain(6, identifier=[{"system": "urn:ehr", "value": "1"}]), pain(7, LEG)

    first = read_standard_bundle(bundle(back, leg, copy.deepcopy(leg)), zone="UTC")
    again = read_standard_bundle(
        bundle(back, leg), zone="UTC", imported={resource_key(back), resource_key(leg)}
    )

    assert [s.reason for s in first.skipped] == ["it appears twice in the Bundle"]
    assert [s.reason for s in again.skipped] == ["already imported", "already imported"]


def test_a_key_is_the_identifier_else_the_content_without_id_meta_and_text():
    one = pain(5, id="a", meta={"versionId": "1"}, text={"status": "generated", "div": "<div/>"})
    same = pain(5, id="b")
    tagged = pain(5, identifier=[{"system": "urn:ehr", "value": "9"}])

    assert resource_key(one) == resource_key(same)
    assert resource_key(tagged) == resource_key({**tagged, "valueInteger": 6})
    assert resource_key(tagged) != resource_key(same)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ([], "not a FHIR Bundle"),
        ({"resourceType": "Patient"}, "not a FHIR Bundle"),
        ({"resourceType": "Bundle", "type": "history", "entry": [{}]}, "Bundle.type"),
        ({"resourceType": "Bundle", "type": "collection", "entry": []}, "no entries"),
        ({"resourceType": "Bundle", "type": "collection"}, "no entries"),
        ({"resourceType": "Bundle", "type": "collection", "entry": ["x"]}, "entry"),
        (
            {
                "resourceType": "Bundle",
                "type": "batch",
                "entry": [{"resource": {}}] * (MAX_ENTRIES + 1),
            },
            "at most",
        ),
        (
            bundle(
                sciatica((SNOMED, "23056005")),
                {**pain(5), "subject": {"reference": "Patient/someone-else"}},
            ),
            "more than one person",
        ),
        (
            bundle({"resourceType": "Patient", "id": "a"}, {"resourceType": "Patient", "id": "b"}),
            "more than one person",
        ),
    ],
)
def test_a_bundle_that_cannot_be_read_is_refused_whole(data, why):
    with pytest.raises(BundleRefused) as refused:
        read_standard_bundle(data, zone="UTC")

    assert why in str(refused.value)


def test_a_patient_named_by_full_url_or_reference_is_one_person():
    patient = {"fullUrl": "urn:uuid:7f0c", "resource": {"resourceType": "Patient", "id": "p1"}}
    data = bundle(
        {**pain(5), "subject": {"reference": "urn:uuid:7f0c"}},
        {**pain(6, LEG), "subject": {"reference": "https://ehr.example/fhir/Patient/p1"}},
        kind="transaction",
    )
    data["entry"].append(patient)

    assert len(read_standard_bundle(data, zone="UTC").days) == 1


def test_our_own_export_is_told_apart_by_its_codes_not_by_ids():
    ours = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient"}},
            {
                "resource": {
                    **pain(5),
                    "extension": [
                        {
                            "url": "https://sciaticare.example/fhir/StructureDefinition/pain-moment",
                            "valueCode": "diary",
                        }
                    ],
                }
            },
        ],
    }

    assert made_by_sciaticare(ours)
    assert not made_by_sciaticare({**ours, "type": "searchset"})
    assert not made_by_sciaticare(bundle({"resourceType": "Patient"}, pain(5)))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "resourceType",
        "status",
        "code",
        "valueInteger",
        "valueQuantity",
        "bodySite",
        "effectiveDateTime",
        "questionnaire",
        "item",
        "onsetDateTime",
        "subject",
        "identifier",
    ]
)
RESOURCE = st.builds(
    lambda kind, fields: {"resourceType": kind, **fields},
    st.sampled_from(["Observation", "QuestionnaireResponse", "Condition", "Patient", "X"]),
    st.dictionaries(FIELDS, JSON, max_size=5),
)
BUNDLE = st.builds(
    lambda kind, resources: {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [{"resource": r} for r in resources],
    },
    st.sampled_from(["collection", "searchset", "batch", "history"]),
    st.lists(RESOURCE | JSON, max_size=4),
)


@settings(max_examples=300, suppress_health_check=list(HealthCheck))
@given(data=JSON | BUNDLE | st.builds(pain, st.integers(-2, 12)).map(lambda p: bundle(p)))
def test_any_json_is_read_or_refused_never_an_exception(data):
    try:
        found = read_standard_bundle(data, zone="Europe/Madrid")
    except BundleRefused as refused:
        problems = refused.problems
        assert problems
        return
    assert all(0 <= d.back_pain <= 10 and 0 <= d.leg_pain <= 10 for d in found.days)
    assert all(s.resource and s.reason for s in found.skipped)
