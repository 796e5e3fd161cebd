"""The directory API: GET /api/v1/therapists and /api/v1/therapists/{id}, public, as docs/architecture.md promises."""

import pytest

from tests.directory.factories import (
    MANCHESTER,
    CredentialFactory,
    ReviewFactory,
    TherapistProfileFactory,
)
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

LAT, LON = MANCHESTER
URL = "/api/v1/therapists"


def get(client, **params):
    return client.get(URL, {"lat": LAT, "lon": LON, **params})


def test_search_needs_no_account_and_returns_the_promised_fields(client):
    t = TherapistProfileFactory(location__latitude=LAT + 0.0378, bio="secret bio stays off lists")

    response = get(client, radius_km=25)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count", "count_exact", "page", "page_size"}
    assert (body["count"], body["count_exact"]) == (1, True)
    item = body["items"][0]
    assert {"id", "name", "distance_km", "next_available", "match_score", "match_reasons"} <= set(
        item
    )
    assert item["id"] == t.pk
    assert item["name"] == t.name
    assert item["distance_km"] == 4.2
    assert item["next_available"] is None
    assert 0 <= item["match_score"] <= 1
    assert item["match_reasons"][0] == "4.2 km away"
    assert item["licence_verified"] is True
    assert "email" not in str(body)
    assert t.user.email not in str(body)
    assert "secret bio" not in str(body)


def test_radius_over_500_is_422_with_the_field_named(client):
    response = get(client, radius_km=501)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert any(error["field"] == "radius_km" for error in body["errors"])


@pytest.mark.parametrize(
    "params",
    [
        {"lat": 91},
        {"lon": "east"},
        {"modality": "reiki"},
        {"radius_km": 0},
        {"page": 0},
        {"page_size": 500},
    ],
)
def test_bad_parameters_are_422(client, params):
    response = client.get(URL, {"lat": LAT, "lon": LON, **params})

    assert response.status_code == 422
    assert "errors" in response.json()


@pytest.mark.parametrize("field", ["lat", "lon", "radius_km", "max_price"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_point_or_figure_that_is_not_a_finite_number_is_422_saying_so(client, field, value):
    response = client.get(URL, {"lat": LAT, "lon": LON, field: value})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": field, "message": "Input should be a finite number"}
    ]


def test_missing_point_is_422(client):
    assert client.get(URL).status_code == 422


def test_pagination(client):
    for i in range(5):
        TherapistProfileFactory(location__latitude=LAT + 0.01 * (i + 1))

    first = get(client, page_size=2).json()
    third = get(client, page_size=2, page=3).json()

    assert first["count"] == third["count"] == 5
    assert len(first["items"]) == 2
    assert len(third["items"]) == 1
    assert first["items"][0]["distance_km"] < first["items"][1]["distance_km"]


def test_filters_and_available_within_days(client):
    TherapistProfileFactory(offers_prenatal=True, languages=["en", "es"])
    TherapistProfileFactory()

    assert get(client, modality="prenatal").json()["count"] == 1
    assert get(client, language="es").json()["count"] == 1
    assert get(client, max_price=10).json()["count"] == 0
    # Neither has working hours, so neither is free within a week (scheduling fills this in).
    assert get(client, available_within_days=7).json()["count"] == 0


def test_unverified_therapists_only_when_asked_and_labelled(client):
    TherapistProfileFactory(licence=False)

    assert get(client).json()["count"] == 0
    items = get(client, include_unverified=True).json()["items"]
    assert items[0]["licence_verified"] is False
    assert "licence not yet verified" in items[0]["match_reasons"]


def test_public_profile_shows_public_facts_only(client):
    t = TherapistProfileFactory(bio="Sciatica specialist.")
    CredentialFactory(therapist=t)  # pending: not shown
    ReviewFactory(therapist=t, rating=4, text="Kind and careful.")
    hidden = ReviewFactory(therapist=t, rating=1, text="abusive words")
    hidden.hidden_at, hidden.hidden_by, hidden.hidden_reason = (
        hidden.created_at,
        PatientFactory(),
        "abuse",
    )
    hidden.save()

    response = client.get(f"{URL}/{t.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == t.name
    assert body["bio"] == "Sciatica specialist."
    assert body["licence_verified"] is True
    assert len(body["verified_credentials"]) == 1
    assert body["verified_credentials"][0]["verified_on"]
    assert [r["text"] for r in body["reviews"]] == ["Kind and careful."]
    assert "number" not in str(body["verified_credentials"])
    assert t.user.email not in response.content.decode()
    assert body["locations"][0]["time_zone"] == "Europe/London"


@pytest.mark.parametrize("reviews", [1, 12])
def test_public_profile_reads_a_fixed_number_of_queries(client, reviews, django_assert_num_queries):
    t = TherapistProfileFactory()
    CredentialFactory.create_batch(2, therapist=t)
    ReviewFactory.create_batch(reviews, therapist=t)

    # The profile with its user, then its locations, session types, credentials and reviews
    # in one statement.
    with django_assert_num_queries(2):
        response = client.get(f"{URL}/{t.pk}")

    assert len(response.json()["reviews"]) == reviews


def test_unknown_or_inactive_therapist_is_404(client):
    t = TherapistProfileFactory()
    t.user.is_active = False
    t.user.save()

    for pk in (t.pk, 999999):
        response = client.get(f"{URL}/{pk}")
        assert response.status_code == 404
        assert response.json()["detail"]


def test_openapi_documents_the_search(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/therapists"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {
        "lat",
        "lon",
        "radius_km",
        "modality",
        "language",
        "max_price",
        "available_within_days",
    } <= names
    assert operation.get("security") in (None, [], [{}])
