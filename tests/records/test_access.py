"""Authorization matrix over every records page and API route × eight kinds of caller; a
refused response contains none of the note's text."""

import json

import pytest
from django.urls import reverse

from sciaticare.records import services
from tests.records.conftest import ASSESSMENT, SUBJECTIVE, signed_note

pytestmark = pytest.mark.django_db
WHO = [
    "anonymous",
    "patient",
    "other_patient",
    "therapist",
    "other_therapist",
    "clinic_admin",
    "other_clinic_admin",
    "site_admin",
]


@pytest.fixture
def signed(clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    services.start_note(therapist_user=therapist, appointment_id=appointment_id)
    services.save_draft(
        therapist_user=therapist,
        appointment_id=appointment_id,
        values={
            "subjective": SUBJECTIVE,
            "assessment": ASSESSMENT,
            "regions": ["left_calf"],
            "home_care": ["Walk daily"],
        },
    )
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    return clinic_world


def _as(client, world, who):
    person = world["people"][who]
    if person is not None:
        client.force_login(person)
    return person


def _leaks(response) -> bool:
    body = response.content.decode()
    return SUBJECTIVE in body or ASSESSMENT in body


# GET /notes/<id>/ → status; "reason" = a clinic admin is asked for a reason first.
PAGE = {
    "anonymous": 302,
    "patient": 200,
    "other_patient": 404,
    "therapist": 200,
    "other_therapist": 404,
    "clinic_admin": "reason",
    "other_clinic_admin": 404,
    "site_admin": 404,
}


@pytest.mark.parametrize("who", WHO)
def test_note_page(client, signed, who):
    _as(client, signed, who)

    response = client.get(reverse("records:note", args=[signed["appointment"].pk]))

    expected = PAGE[who]
    if expected == "reason":
        assert response.status_code == 200
        assert b"Why are you opening" in response.content
        assert not _leaks(response)
        opened = client.post(
            reverse("records:note", args=[signed["appointment"].pk]), {"reason": "Audit of records"}
        )
        assert SUBJECTIVE in opened.content.decode()
        return
    assert response.status_code == expected
    if who == "patient":
        body = response.content.decode()
        assert "Walk daily" in body
        assert ASSESSMENT not in body  # not shared
        assert SUBJECTIVE not in body  # the summary, not the note
    elif who == "therapist":
        assert SUBJECTIVE in response.content.decode()
    else:
        assert not _leaks(response)


def test_a_therapist_of_the_same_patient_reads_signed_notes(client, signed):
    from tests.directory.factories import TherapistProfileFactory
    from tests.records.conftest import past_appointment

    colleague = TherapistProfileFactory()
    past_appointment(colleague, signed["people"]["patient"], hours_ago=30)
    client.force_login(colleague.user)

    response = client.get(reverse("records:note", args=[signed["appointment"].pk]))

    assert response.status_code == 200
    assert SUBJECTIVE in response.content.decode()
    assert b"Add amendment" not in response.content


def test_a_shared_assessment_reaches_the_patient(client, clinic_world):
    therapist, appointment_id = clinic_world["people"]["therapist"], clinic_world["appointment"].pk
    services.save_draft(
        therapist_user=therapist,
        appointment_id=appointment_id,
        values={"assessment": ASSESSMENT, "assessment_shared": True},
    )
    services.sign_note(therapist_user=therapist, appointment_id=appointment_id)
    client.force_login(clinic_world["people"]["patient"])

    assert ASSESSMENT in client.get(reverse("records:note", args=[appointment_id])).content.decode()


def test_the_patient_does_not_see_a_draft(client, clinic_world):
    services.save_draft(
        therapist_user=clinic_world["people"]["therapist"],
        appointment_id=clinic_world["appointment"].pk,
        values={"subjective": SUBJECTIVE},
    )
    client.force_login(clinic_world["people"]["patient"])

    response = client.get(reverse("records:note", args=[clinic_world["appointment"].pk]))

    assert response.status_code == 404
    assert not _leaks(response)


WRITE_ROUTES = [
    ("autosave", {"subjective": "changed by someone"}),
    ("sign", {}),
    ("amend", {"reason": "r", "text": "t"}),
]


@pytest.mark.parametrize("who", [w for w in WHO if w != "therapist"])
@pytest.mark.parametrize(("route", "data"), WRITE_ROUTES, ids=[r for r, _ in WRITE_ROUTES])
def test_nobody_but_the_therapist_writes(client, clinic_world, who, route, data):
    services.start_note(
        therapist_user=clinic_world["people"]["therapist"],
        appointment_id=clinic_world["appointment"].pk,
    )
    _as(client, clinic_world, who)

    response = client.post(reverse(f"records:{route}", args=[clinic_world["appointment"].pk]), data)

    assert response.status_code in (302, 404) if who == "anonymous" else response.status_code == 404
    note = clinic_world["appointment"].note
    note.refresh_from_db()
    assert note.subjective != "changed by someone"
    assert not note.is_signed
    assert not note.amendments.exists()


# API: GET note → status (therapist: full note; patient: summary).
API_GET = {
    "anonymous": 401,
    "patient": 200,
    "other_patient": 404,
    "therapist": 200,
    "other_therapist": 404,
    "clinic_admin": 422,
    "other_clinic_admin": 404,
    "site_admin": 404,
}


@pytest.mark.parametrize("who", WHO)
def test_api_get_note(client, signed, who):
    _as(client, signed, who)

    response = client.get(f"/api/v1/appointments/{signed['appointment'].pk}/note")

    assert response.status_code == API_GET[who]
    if who == "patient":
        assert set(response.json()) >= {"worked_on", "home_care", "back_pain_before"}
        assert "subjective" not in response.json()
    if response.status_code != 200:
        assert not _leaks(response)


def test_api_clinic_admin_reads_with_a_reason(client, signed):
    client.force_login(signed["people"]["clinic_admin"])

    response = client.get(
        f"/api/v1/appointments/{signed['appointment'].pk}/note", {"reason": "Quality audit"}
    )

    assert response.json()["subjective"] == SUBJECTIVE


@pytest.mark.parametrize("who", WHO)
def test_api_writes(client, clinic_world, who):
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note"
    _as(client, clinic_world, who)

    put = client.put(
        url, json.dumps({"plan": "Two more sessions"}), content_type="application/json"
    )
    sign = client.post(f"{url}/sign")
    amend = client.post(
        f"{url}/amendments",
        json.dumps({"reason": "r", "text": "t"}),
        content_type="application/json",
    )

    if who == "therapist":
        assert (put.status_code, sign.status_code, amend.status_code) == (200, 200, 201)
        again = client.put(url, json.dumps({"plan": "changed"}), content_type="application/json")
        assert again.status_code == 409
    else:
        expected = 401 if who == "anonymous" else 404
        assert (put.status_code, sign.status_code, amend.status_code) == (
            expected,
            expected,
            expected,
        )


def test_api_put_refuses_bad_fields_with_422(client, clinic_world):
    client.force_login(clinic_world["people"]["therapist"])
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note"

    for body in (
        {"back_pain_before": 11},
        {"pressure": "crushing"},
        {"signed_at": "2026-01-01"},
        {"regions": ["elbow"]},
    ):
        assert client.put(url, json.dumps(body), content_type="application/json").status_code == 422


@pytest.mark.parametrize(
    "field", ["pressure_warning_acknowledged", "assessment_shared", "subjective", "regions"]
)
def test_api_put_refuses_null_for_a_field_that_cannot_be_empty(client, clinic_world, field):
    # Found by the API fuzz (tests/proof/test_api_fuzz.py): this was a 500.
    client.force_login(clinic_world["people"]["therapist"])
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note"

    response = client.put(url, json.dumps({field: None}), content_type="application/json")

    assert response.status_code == 422
    assert {"field": field, "message": "cannot be null"} in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subjective": "a\u0000b"}, "subjective"),
        ({"plan": "rest\u0007"}, "plan"),
        ({"adverse_event_detail": "\u202eevil"}, "adverse_event_detail"),
        ({"home_care": ["walk daily", "a\u0000b"]}, "home_care"),
    ],
)
def test_api_put_refuses_hidden_characters_naming_the_field(client, clinic_world, body, field):
    # Found by an outside test: a NUL, which PostgreSQL cannot store, was a 500.
    client.force_login(clinic_world["people"]["therapist"])
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note"

    response = client.put(url, json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_a_note_keeps_its_line_breaks_and_tabs(client, clinic_world):
    client.force_login(clinic_world["people"]["therapist"])
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note"
    text = "Stiff on waking.\n\tEased after walking."

    response = client.put(url, json.dumps({"subjective": text}), content_type="application/json")

    assert response.status_code == 200
    assert response.json()["subjective"] == text


@pytest.mark.parametrize("field", ["reason", "text"])
def test_an_amendment_with_hidden_characters_is_a_422_naming_the_field(client, clinic_world, field):
    signed_note(clinic_world)
    client.force_login(clinic_world["people"]["therapist"])
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note/amendments"
    body = {"reason": "Typo", "text": "Right calf.", field: "a\u0000b"}

    response = client.post(url, json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_api_put_null_clears_a_score(client, clinic_world):
    client.force_login(clinic_world["people"]["therapist"])
    url = f"/api/v1/appointments/{clinic_world['appointment'].pk}/note"
    client.put(url, json.dumps({"back_pain_before": 6}), content_type="application/json")

    response = client.put(
        url, json.dumps({"back_pain_before": None}), content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json()["back_pain_before"] is None


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        ("records:sessions", {"therapist", "other_therapist"}),
        ("records:my_sessions", {"patient", "other_patient"}),
        ("records:clinic_notes", {"clinic_admin", "other_clinic_admin"}),
        ("records:access_history", set(WHO) - {"anonymous"}),
    ],
)
@pytest.mark.parametrize("who", WHO)
def test_list_pages(client, signed, page, allowed, who):
    _as(client, signed, who)

    response = client.get(reverse(page))

    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if who in allowed else 403)
    if who not in {"therapist", "patient", "clinic_admin"}:
        assert "Odalys" not in response.content.decode()


def test_the_access_history_shows_who_opened_the_record(client, signed):
    client.force_login(signed["people"]["clinic_admin"])
    client.post(reverse("records:note", args=[signed["appointment"].pk]), {"reason": "Complaint 7"})
    client.force_login(signed["people"]["patient"])

    body = client.get(reverse("records:access_history")).content.decode()

    assert "Complaint 7" in body
    assert signed["people"]["clinic_admin"].display_name in body
