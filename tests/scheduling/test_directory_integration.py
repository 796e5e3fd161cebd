"""Search knows each therapist's next free session, and can keep only those free soon."""

from datetime import UTC, datetime, time, timedelta

import pytest

from sciaticare.scheduling.models import WorkingHours
from tests.directory.factories import LocationFactory, TherapistProfileFactory

pytestmark = pytest.mark.django_db
MANCHESTER = {"lat": 53.4808, "lon": -2.2426}


def _free(weekdays=range(7)):
    location = LocationFactory()
    therapist = TherapistProfileFactory(location=location)
    for weekday in weekdays:
        WorkingHours.objects.create(
            therapist=therapist, location=location, weekday=weekday, start=time(9), end=time(17)
        )
    return therapist


def test_next_available_is_given_with_an_offset(client):
    therapist = _free()
    busy = TherapistProfileFactory()  # no working hours: nothing free

    items = {
        i["id"]: i
        for i in client.get("/api/v1/therapists", {**MANCHESTER, "radius_km": 25}).json()["items"]
    }

    start = items[therapist.pk]["next_available"]
    assert start is not None
    assert start[-6:] == "+00:00"
    assert datetime.fromisoformat(start) - datetime.now(UTC) < timedelta(days=3)
    assert items[busy.pk]["next_available"] is None


def test_available_within_days_keeps_only_those_free_soon(client):
    therapist = _free()
    TherapistProfileFactory()

    body = client.get(
        "/api/v1/therapists", {**MANCHESTER, "radius_km": 25, "available_within_days": 7}
    ).json()

    assert [i["id"] for i in body["items"]] == [therapist.pk]
    assert body["count"] == 1


def test_the_search_page_links_to_booking_and_the_waitlist(client):
    therapist = _free()
    TherapistProfileFactory()

    body = client.get("/therapists/", {"place": "Manchester", "radius_km": 25}).content.decode()

    assert f"/book/{therapist.pk}/" in body
    assert "Join the waitlist" in body


def test_soonness_joins_the_ranking():
    from sciaticare.directory.selectors.search import search_therapists

    in_five_days = (datetime.now(UTC).date() + timedelta(days=5)).weekday()
    later = _free(weekdays=[in_five_days])  # made first: the SQL order alone would put it first
    sooner = _free()
    # Same experience, distance, licence and reviews: only the next free session differs.
    results = search_therapists(lat=MANCHESTER["lat"], lon=MANCHESTER["lon"], radius_km=25).results

    order = [r.profile.pk for r in results]
    assert order.index(sooner.pk) < order.index(later.pk)
    first = results[order.index(sooner.pk)]
    assert any(reason.startswith("free within") for reason in first.ranked.reasons)
