"""The search takes a town, a UK postcode or a US ZIP code; what it cannot place is said in the
page, with places spelled alike to choose from."""

import pytest
from django.urls import reverse

from sciaticare.directory import postcodes
from sciaticare.directory.geo import great_circle_km
from sciaticare.directory.places import resolve_place, suggest_places
from tests.directory.factories import MANCHESTER, TherapistProfileFactory

DIDSBURY = (53.41698, -2.23145)


def _point(typed: str) -> tuple[float, float, str]:
    found = postcodes.lookup(typed)
    assert found is not None
    assert found.latitude is not None
    assert found.longitude is not None
    return found.latitude, found.longitude, found.label


@pytest.mark.parametrize("typed", ["M20 2RN", "m202rn", "M20", " m20  2rn "])
def test_uk_postcode_is_placed_at_its_district(typed):
    lat, lon, label = _point(typed)

    assert label == "M20 (Didsbury)"
    assert great_circle_km(lat, lon, *DIDSBURY) < 2


def test_other_uk_postcodes_are_placed_at_their_area_town():
    found = postcodes.lookup("B15 2TT")

    assert found is not None
    assert found.town == "Birmingham"


def test_every_area_town_is_in_the_gazetteer():
    missing = [t for t in postcodes.AREA_TOWNS.values() if resolve_place(f"{t}, GB") is None]
    assert missing == []


def test_every_district_lies_in_the_north_west():
    for code in ("M1", "BL1", "OL1", "SK1", "WA1", "WN1", "M90"):
        lat, lon, _ = _point(code)
        assert great_circle_km(lat, lon, *MANCHESTER) < 45, code


@pytest.mark.parametrize("typed", ["10001", "10001-1234"])
def test_us_zip_code_is_placed_at_its_centroid(typed):
    lat, lon, label = _point(typed)

    assert label == "10001 (New York, NY)"
    assert great_circle_km(lat, lon, 40.7484, -73.9967) < 1


@pytest.mark.parametrize("typed", ["99999", "ZZ9 9ZZ", "Didsbury", ""])
def test_what_is_not_a_known_code_is_not_placed(typed):
    assert postcodes.lookup(typed) is None


def test_a_misspelt_town_suggests_the_town():
    assert suggest_places("Manchster")[0] == "Manchester, United Kingdom"
    assert suggest_places("didsbry") == ["Didsbury, United Kingdom"]
    assert suggest_places("Xqzzy") == []


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["M20 2RN", "M20"])
def test_search_by_postcode_finds_therapists_nearby(client, typed):
    TherapistProfileFactory(user__first_name="Dana", location__latitude=DIDSBURY[0] + 0.01)

    response = client.get(reverse("directory:search"), {"place": typed})

    assert response.status_code == 200
    body = response.content.decode()
    assert "of M20 (Didsbury)" in body
    assert "Dana" in body


@pytest.mark.django_db
def test_search_by_zip_code_answers_for_new_york(client):
    response = client.get(reverse("directory:search"), {"place": "10001"})

    assert response.status_code == 200
    assert "10001 (New York, NY)" in response.content.decode()


@pytest.mark.django_db
def test_unknown_town_says_so_in_the_page_with_suggestions(client):
    response = client.get(reverse("directory:search"), {"place": "Manchster"})

    body = response.content.decode()
    assert response.status_code == 400
    assert "<h1>Find a massage therapist" in body
    assert "know a place called “Manchster”" in body
    assert (
        '<a href="?place=Manchester%2C%20United%20Kingdom">Manchester, United Kingdom</a>' in body
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Manchster", "know a place called"),
        ("", "Say where to search"),
        ("ZZ9 9ZZ", "know where the postcode"),
    ],
)
def test_htmx_search_gets_its_message_as_a_page_it_will_show(client, typed, said):
    # htmx leaves the page as it was on a 4xx answer: the message must come with a 200.
    response = client.get(
        reverse("directory:search"), {"place": typed}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="search">')
    assert said in body
