"""Finding 13.6: each input that gave a 500 now gets a 4xx saying what was wrong.

Out-of-range and impossible dates (slots, booking, moving, the week page), ids larger than any
database key (notes, search pages, ids in forms), and JSON nested far too deep (FHIR import,
questionnaire upload). The rule behind each is in `sciaticare/bounds.py`; the property test
beside this file (test_input_bounds.py) throws the same kinds of input at every route.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sciaticare.core.errors import Invalid
from sciaticare.scheduling.services import booking
from tests.factories import ClinicAdminFactory, PatientFactory
from tests.intake.factories import make_intake
from tests.scheduling.helpers import at, place_appointment, working_therapist

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"
RANGE = "2000 to 2100"


@pytest.fixture
def booking_world() -> dict[str, Any]:
    therapist, session, location = working_therapist()
    patient = PatientFactory()
    make_intake(patient)
    future = place_appointment(
        patient=patient, therapist=therapist, session=session, location=location, start=at(3, 10)
    )
    return {"therapist": therapist, "session": session, "patient": patient, "future": future}


def _errors(response: Any) -> str:
    return json.dumps(response.json())


# --- Dates ------------------------------------------------------------------------------------


def test_slots_far_in_the_future_are_422_naming_start(client, booking_world):
    url = f"/api/v1/therapists/{booking_world['therapist'].pk}/slots"

    response = client.get(url, {"start": "9999-12-31T00:00:00+00:00"})

    assert response.status_code == 422
    assert "start" in _errors(response)
    assert RANGE in _errors(response)


@pytest.mark.parametrize("start", ["9999-12-31T10:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_booking_through_the_api_in_year_9999_or_1_is_422(client, booking_world, start):
    client.force_login(booking_world["patient"])
    body = {"therapist": booking_world["therapist"].pk, "start": start}

    response = client.post("/api/v1/appointments", body, content_type="application/json")

    assert response.status_code == 422
    assert RANGE in _errors(response)


def test_moving_through_the_api_to_year_9999_is_422(client, booking_world):
    client.force_login(booking_world["patient"])
    url = f"/api/v1/appointments/{booking_world['future'].pk}/reschedule"

    response = client.post(
        url, {"start": "9999-12-31T10:00:00+00:00"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert RANGE in _errors(response)


@pytest.mark.parametrize("start", ["9999-12-31T10:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_the_booking_service_refuses_a_time_out_of_range(booking_world, start):
    from datetime import datetime

    with pytest.raises(Invalid) as refused:
        booking.book_appointment(
            patient=booking_world["patient"],
            therapist_id=booking_world["therapist"].pk,
            start=datetime.fromisoformat(start),
        )

    assert refused.value.code == "date_out_of_range"


@pytest.mark.parametrize(
    ("start", "says"),
    [
        ("9999-12-31T10:00:00+00:00", RANGE),
        ("0001-01-01T00:00:00+00:00", RANGE),
        ("2026-02-30T10:00:00+00:00", "Choose one of the offered times"),
    ],
)
def test_the_booking_page_answers_422_with_the_reason(client, booking_world, start, says):
    client.force_login(booking_world["patient"])
    url = reverse("scheduling:book", args=[booking_world["therapist"].pk])

    response = client.post(url, {"start": start, "service": booking_world["session"].pk})

    assert response.status_code == 422
    assert says in response.content.decode()


def test_the_move_page_answers_422_for_year_9999(client, booking_world):
    client.force_login(booking_world["patient"])
    url = reverse("scheduling:reschedule", args=[booking_world["future"].pk])

    response = client.post(url, {"start": "9999-12-31T10:00:00+00:00"})

    assert response.status_code == 422
    assert RANGE in response.content.decode()


@pytest.mark.parametrize(
    ("start", "says"), [("2026-02-30", "is not a date"), ("9999-12-31", "out of range")]
)
def test_the_week_page_answers_400_and_shows_this_week(client, booking_world, start, says):
    client.force_login(booking_world["therapist"].user)

    response = client.get(reverse("scheduling:week"), {"start": start})

    assert response.status_code == 400
    assert says in response.content.decode()


def test_an_intake_onset_centuries_ago_is_a_form_error(client):
    patient = PatientFactory()
    client.force_login(patient)
    form = client.get(reverse("intake:form")).context["form"]
    data = {name: field.initial or "" for name, field in form.fields.items()}

    response = client.post(reverse("intake:form"), {**data, "onset_date": "0315-09-22"})

    assert response.status_code == 422
    assert "within the last" in response.content.decode()


# --- Ids and pages ----------------------------------------------------------------------------


def test_a_note_id_larger_than_any_key_is_404_on_the_page_and_422_in_the_api(client):
    client.force_login(PatientFactory())

    page = client.get(f"/notes/{HUGE}/")
    api = client.get(f"/api/v1/appointments/{HUGE}/note")

    assert page.status_code == 404
    assert api.status_code == 422
    assert "appointment_id" in _errors(api)


def test_a_search_page_number_larger_than_any_page_is_refused(client):
    api = client.get("/api/v1/therapists", {"lat": 53.48, "lon": -2.24, "page": HUGE})
    page = client.get(reverse("directory:search"), {"place": "Manchester", "page": HUGE})

    assert api.status_code == 422
    assert "page" in _errors(api)
    assert page.status_code == 400


def test_a_form_choosing_rows_by_a_huge_id_is_a_form_error(client, booking_world):
    therapist = booking_world["therapist"]
    client.force_login(therapist.user)
    url = reverse("directory:edit", args=[therapist.pk])

    response = client.post(url, {"bio": "x", "languages_text": "en", "locations": HUGE})

    assert response.status_code < 500
    assert HUGE in response.content.decode()  # "… is not a valid value."


# "²" passes str.isdigit() and int() refuses it; "٣" (Arabic-Indic three) passes both. An id is
# ASCII digits (bounds.whole_number): found by the outside test of issue 19's tenth session.
@pytest.mark.parametrize("digit", ["\u00b2", "\u0663"], ids=["superscript", "arabic-indic"])
@pytest.mark.parametrize(
    ("who", "method", "name", "data"),
    [
        ("patient", "get", "scheduling:waitlist_join", {"therapist": "{d}"}),
        ("patient", "post", "exercises:programme_new", {"more": "1", "items-TOTAL_FORMS": "{d}"}),
        ("therapist", "get", "exercises:prescribe", {"appointment": "{d}"}),
        ("therapist", "post", "exercises:prescribe", {"exercises": "{d}"}),
        ("therapist", "post", "directory:edit", {"bio": "x", "locations": "{d}"}),
    ],
)
def test_a_digit_that_is_not_ascii_is_refused_not_a_500(
    client, booking_world, digit, who, method, name, data
):
    therapist, patient = booking_world["therapist"], booking_world["patient"]
    client.force_login(therapist.user if who == "therapist" else patient)
    args = {"exercises:prescribe": [patient.pk], "directory:edit": [therapist.pk]}.get(name, [])
    sent = {key: value.format(d=digit) for key, value in data.items()}

    response = getattr(client, method)(reverse(name, args=args), sent)

    assert response.status_code < 500
    if method == "get":
        assert response.status_code == 404  # not an id: as a row that is not theirs


# --- JSON nested too deep ---------------------------------------------------------------------


def _deep_extension(depth: int) -> dict[str, Any]:
    extension: dict[str, Any] = {"url": "https://x.example/e", "valueString": "x"}
    for _ in range(depth):
        extension = {"url": "https://x.example/e", "extension": [extension]}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "https://x.example/fhir/Patient/p",
                "resource": {"resourceType": "Patient", "id": "p", "extension": [extension]},
            }
        ],
    }


@pytest.mark.parametrize(
    "body", ["[" * 100_000, json.dumps(_deep_extension(300))], ids=["brackets", "extension"]
)
def test_a_fhir_import_nested_too_deep_is_422(client, body):
    client.force_login(PatientFactory())

    response = client.post("/api/v1/patients/me/fhir", body, content_type="application/fhir+json")

    assert response.status_code == 422
    assert "nested more than" in _errors(response)


def test_a_questionnaire_upload_nested_too_deep_is_a_form_error(client):
    client.force_login(ClinicAdminFactory())
    deep = "[" * 5_000 + "]" * 5_000

    response = client.post(
        reverse("intake:import_questionnaire"),
        {
            "resource": SimpleUploadedFile("q.json", deep.encode(), "application/json"),
            "licence_statement": "Mapi #1",
        },
    )

    assert response.status_code == 422
    assert "nested more than" in response.content.decode()
