"""Therapist search: filters, distance, ranking in SQL versus ranking.py, pages, query counts,
the query plan, and place names."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sciaticare.core.errors import Invalid
from sciaticare.directory import geo, search_query, search_table
from sciaticare.directory.models import Location, TherapistLocation, TherapistProfile
from sciaticare.directory.places import normalise, resolve_place
from sciaticare.directory.ranking import Candidate, PatientFit, rank
from sciaticare.directory.selectors import search as search_module
from sciaticare.directory.selectors.search import RERANK_WINDOW, search_therapists
from tests.directory.factories import (
    MANCHESTER,
    LocationFactory,
    ReviewFactory,
    TherapistProfileFactory,
    reported_outcome,
)

pytestmark = pytest.mark.django_db

LAT, LON = MANCHESTER
# About 1.1 km per 0.01° of latitude.
NORTH_1KM, NORTH_5KM, NORTH_30KM = LAT + 0.009, LAT + 0.045, LAT + 0.27


def search(**kwargs):
    return search_therapists(lat=LAT, lon=LON, **{"radius_km": 25, **kwargs})


def ids(page):
    return [r.profile.pk for r in page.results]


def test_distance_is_the_great_circle_distance_to_0_1_km():
    t = TherapistProfileFactory(location__latitude=NORTH_5KM, location__longitude=LON + 0.05)

    result = search().results[0]

    assert result.profile.pk == t.pk
    expected = geo.great_circle_km(LAT, LON, NORTH_5KM, LON + 0.05)
    assert round(result.distance_km, 1) == round(expected, 1)
    assert result.ranked.reasons[0] == f"{expected:.1f} km away"


def test_only_therapists_within_the_radius_are_found():
    near = TherapistProfileFactory(location__latitude=NORTH_5KM)
    TherapistProfileFactory(location__latitude=NORTH_30KM)

    page = search(radius_km=25)

    assert ids(page) == [near.pk]
    assert page.count == 1
    assert search(radius_km=50).count == 2


def test_a_therapist_at_several_locations_appears_once_at_the_nearest():
    t = TherapistProfileFactory(location__latitude=NORTH_5KM, location__name="Far branch")
    near = LocationFactory(clinic=t.clinics.first(), latitude=NORTH_1KM, name="Near branch")
    TherapistLocation.objects.create(therapist=t, location=near)
    search_table.refresh(profile_ids=[t.pk])  # what update_profile does after this write

    page = search()

    assert page.count == 1
    assert page.results[0].location.pk == near.pk
    assert page.results[0].location.name == "Near branch"
    assert page.results[0].distance_km == pytest.approx(1.0, abs=0.1)


def test_unverified_and_expired_licences_are_hidden_unless_asked_and_then_labelled():
    verified = TherapistProfileFactory(location__latitude=NORTH_1KM)
    unverified = TherapistProfileFactory(licence=False, location__latitude=NORTH_1KM)
    expired = TherapistProfileFactory(location__latitude=NORTH_1KM)
    # Its licence ran out yesterday and the daily task has not run: search checks the date.
    TherapistProfile.objects.filter(pk=expired.pk).update(licence_expires_on=date(2020, 1, 1))
    search_table.refresh(profile_ids=[expired.pk])

    assert ids(search()) == [verified.pk]
    page = search(include_unverified=True)
    assert set(ids(page)) == {verified.pk, unverified.pk, expired.pk}
    labelled = {r.profile.pk: r.licence_verified for r in page.results}
    assert labelled == {verified.pk: True, unverified.pk: False, expired.pk: False}
    reasons = {r.profile.pk: r.ranked.reasons for r in page.results}
    assert "licence not yet verified" in reasons[expired.pk]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"modality": "prenatal"}, {"prenatal"}),
        ({"language": "pl"}, {"polish"}),
        ({"language": "PL "}, {"polish"}),
        ({"max_price": 45}, {"cheap"}),
        ({"step_free": True}, {"plain", "prenatal", "polish", "cheap", "mobile"}),
        ({"parking": True}, {"parking", "mobile"}),
        ({"adjustable_table": True}, {"plain", "prenatal", "polish", "cheap"}),
        ({"accepting_new": True}, {"parking", "prenatal", "polish", "cheap", "mobile"}),
    ],
)
def test_filters(filters, expected):
    made = {
        "plain": TherapistProfileFactory(accepting_new_patients=False),
        "prenatal": TherapistProfileFactory(offers_prenatal=True),
        "polish": TherapistProfileFactory(languages=["en", "pl"]),
        "cheap": TherapistProfileFactory(price="40.00"),
        "parking": TherapistProfileFactory(
            location__parking=True, location__step_free=False, location__adjustable_table=False
        ),
        "mobile": TherapistProfileFactory(
            location=False,
            is_mobile=True,
            base_latitude=NORTH_1KM,
            base_longitude=LON,
            service_radius_km=10,
        ),
    }
    names = {profile.pk: name for name, profile in made.items()}

    page = search(**filters)

    assert {names[pk] for pk in ids(page)} == expected
    assert page.count == len(expected)


def test_mobile_therapist_is_found_only_inside_their_service_radius():
    mobile = TherapistProfileFactory(
        location=False,
        is_mobile=True,
        base_latitude=NORTH_5KM,
        base_longitude=LON,
        service_radius_km=3,
    )
    assert search().count == 0
    mobile.service_radius_km = 8
    mobile.save()
    search_table.refresh(profile_ids=[mobile.pk])

    result = search().results[0]

    assert result.location is None
    assert "comes to you" in result.ranked.reasons
    # The distance to a home visit is said in whole km, in the reasons as in the figure: a
    # tenth of a km would narrow down where the therapist's base is.
    assert result.distance_km == float(round(result.distance_km))
    assert result.ranked.reasons[0] == f"{result.distance_km:.0f} km away"


def test_search_across_the_antimeridian():
    fiji = LocationFactory(latitude=-17.7, longitude=179.95)
    t = TherapistProfileFactory(location=fiji)

    page = search_therapists(lat=-17.7, lon=-179.95, radius_km=25)

    assert ids(page) == [t.pk]
    assert page.results[0].distance_km == pytest.approx(
        geo.great_circle_km(-17.7, -179.95, -17.7, 179.95), abs=0.05
    )


@pytest.mark.parametrize(
    "bad",
    [{"radius_km": 501}, {"radius_km": 0}, {"modality": "reiki"}, {"page": 0}, {"page_size": 51}],
)
def test_invalid_searches_are_refused(bad):
    with pytest.raises(Invalid):
        search(**bad)


def test_nearer_ranks_first_all_else_equal():
    far = TherapistProfileFactory(location__latitude=NORTH_5KM)
    near = TherapistProfileFactory(location__latitude=NORTH_1KM)

    assert ids(search()) == [near.pk, far.pk]


def test_one_five_star_review_ranks_below_forty_at_4_8():
    lucky = TherapistProfileFactory(location__latitude=NORTH_1KM)
    proven = TherapistProfileFactory(location__latitude=NORTH_1KM)
    ReviewFactory(therapist=lucky, rating=5)
    for i in range(40):
        ReviewFactory(therapist=proven, rating=5 if i < 32 else 4)  # mean 4.8

    assert ids(search()) == [proven.pk, lucky.pk]


def test_pregnant_person_sees_prenatal_massage_first_with_the_reason():
    plain = TherapistProfileFactory(location__latitude=NORTH_1KM)
    prenatal = TherapistProfileFactory(location__latitude=NORTH_5KM, offers_prenatal=True)

    page = search(fit=PatientFit(pregnant=True))

    assert ids(page) == [prenatal.pk, plain.pk]
    assert "offers prenatal massage" in page.results[0].ranked.reasons


def test_sql_order_and_scores_match_ranking_py_on_varied_data():
    rng = random.Random(7)
    made = []
    for _ in range(40):
        experience = rng.randint(0, 30)
        made.append(
            TherapistProfileFactory(
                location__latitude=LAT + rng.uniform(-0.15, 0.15),
                location__longitude=LON + rng.uniform(-0.25, 0.25),
                years_experience=experience,
                years_sciatica=rng.randint(0, experience),
                offers_prenatal=rng.random() < 0.3,
                offers_swedish=rng.random() < 0.5,
                licence=rng.random() < 0.7,
            )
        )
        for _ in range(rng.choice((0, 1, 3, 12))):
            ReviewFactory(therapist=made[-1], rating=rng.randint(1, 5))
    fit = PatientFit(pregnant=True, gentle_pressure=True)
    today = timezone.localdate()

    page = search(radius_km=30, include_unverified=True, fit=fit, page_size=50)

    candidates = []
    for profile in made:
        profile.refresh_from_db()
        location = profile.locations.get()
        distance = geo.great_circle_km(LAT, LON, location.latitude, location.longitude)
        if distance > 30:
            continue
        valid = profile.licence_valid_on(today)
        candidates.append(
            (
                profile.pk,
                Candidate(
                    distance_km=distance,
                    radius_km=30,
                    sciatica_years=profile.years_sciatica,
                    experience_years=profile.years_experience,
                    licence_verified_on=profile.licence_verified_on if valid else None,
                    review_count=profile.review_count,
                    review_mean=profile.review_mean,
                    modalities=profile.modalities,
                ),
            )
        )
    expected = rank(candidates, fit)
    assert ids(page) == [pk for pk, _ in expected]
    ranked, total, exact = search_query.ranked_therapists(
        search_query.SearchFilters(
            latitude=LAT, longitude=LON, radius_km=30, include_unverified=True, fit=fit
        ),
        today=today,
        count=1000,
    )
    assert (total, exact) == (len(expected), True)
    assert [pk for pk, _, _ in ranked] == [pk for pk, _ in expected]
    sql_scores = {pk: value for pk, _, value in ranked}
    for pk, ranked in expected:
        assert sql_scores[pk] == pytest.approx(ranked.score, abs=1e-9)


def test_a_therapist_with_many_places_still_leaves_room_for_the_others():
    crowded = TherapistProfileFactory(location__latitude=NORTH_1KM)
    for i in range(11):
        place = LocationFactory(clinic=crowded.clinics.get(), latitude=NORTH_1KM + i * 0.0001)
        TherapistLocation.objects.create(therapist=crowded, location=place)
    search_table.refresh(profile_ids=[crowded.pk])
    other = TherapistProfileFactory(location__latitude=NORTH_5KM)
    filters = search_query.SearchFilters(latitude=LAT, longitude=LON, radius_km=25)

    # 8 rows are asked for first, all the crowded therapist's: the search asks again for more.
    ranked, total, _ = search_query.ranked_therapists(filters, today=timezone.localdate(), count=2)

    assert [pk for pk, _, _ in ranked] == [crowded.pk, other.pk]
    assert total == 2
    assert ranked[0][1] == pytest.approx(geo.great_circle_km(LAT, LON, NORTH_1KM, LON), abs=1e-6)


def test_pages_are_stable_and_cover_every_result_once():
    for i in range(7):
        TherapistProfileFactory(location__latitude=NORTH_1KM + i * 0.001)
    # Equal therapists at the same place: ties broken by distance, then id.
    same_place = LocationFactory(latitude=NORTH_5KM)
    twins = [TherapistProfileFactory(location=same_place) for _ in range(3)]

    pages = [search(page=n, page_size=3) for n in (1, 2, 3, 4)]

    seen = [pk for page in pages for pk in ids(page)]
    assert len(seen) == len(set(seen)) == 10
    assert [page.count for page in pages] == [10, 10, 10, 10]
    assert ids(pages[3]) == [twins[2].pk]
    assert [p.has_next for p in pages] == [True, True, True, False]
    assert seen == [
        pk for page in (search(page=n, page_size=3) for n in (1, 2, 3, 4)) for pk in ids(page)
    ]


def test_a_page_past_the_end_is_empty_with_the_right_count():
    TherapistProfileFactory()

    page = search(page=5)

    assert page.results == []
    assert page.count == 1


def test_query_count_does_not_grow_with_the_number_of_results():
    for _ in range(3):
        TherapistProfileFactory(location__latitude=NORTH_1KM, offers_prenatal=True)
    with CaptureQueriesContext(connection) as small_queries:
        small = search()
    for _ in range(20):
        TherapistProfileFactory(location__latitude=NORTH_5KM)
        t = TherapistProfileFactory(location__latitude=NORTH_1KM)
        TherapistLocation.objects.create(
            therapist=t, location=LocationFactory(clinic=t.clinics.first(), latitude=NORTH_5KM)
        )
        search_table.refresh(profile_ids=[t.pk])
    with CaptureQueriesContext(connection) as large_queries:
        large = search()

    assert len(small.results) == 3
    assert (large.count, len(large.results)) == (43, 20)
    assert len(large_queries) == len(small_queries)
    # The ranked page and its count (near the centre, then in the whole circle), the page's
    # rows (therapists, places, outcome figures and standard sessions as values, the outcome
    # term as the SQL ranked by it), then scheduling's for the next free sessions: calendars,
    # busy times from therapists' own calendars and standard lengths (and the locations of
    # working hours, which nobody has here).
    assert len(large_queries) == 6
    assert not [q for q in large_queries.captured_queries if "outcomes_" in q["sql"][:80]]


def explain_plan() -> str:
    filters = search_query.SearchFilters(
        latitude=LAT, longitude=LON, radius_km=25, modality="deep_tissue"
    )
    sql, params = search_query.build(filters, today=timezone.localdate(), limit=20)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # On a handful of rows a sequential scan is cheaper, and without a VACUUM the
            # planner expects heap visits; ask whether the index can answer alone.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row) for row in cursor.fetchall())


def test_query_plan_reads_the_covering_search_index_and_no_other_table():
    for _ in range(5):
        TherapistProfileFactory()

    plan = explain_plan()

    if connection.vendor == "postgresql":
        assert "Index Only Scan using directory_search_covering" in plan
    else:
        assert (
            "SEARCH s USING COVERING INDEX directory_search_covering"
            " (latitude_band=? AND longitude>? AND longitude<?)" in plan
        )
    # No candidate costs a lookup elsewhere: profiles, users, locations, sessions are not read.
    for table in ("therapistprofile", "accounts_user", "location", "sessiontype"):
        assert table not in plan


# --- Place names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Manchester", "Manchester, United Kingdom"),
        ("  manchester ", "Manchester, United Kingdom"),
        ("MANCHESTER, uk", "Manchester, United Kingdom"),
        ("Manchester, NH", "Manchester, NH, United States"),
        ("sao paulo", "São Paulo, Brazil"),
        ("São Paulo", "São Paulo, Brazil"),
        ("zurich", "Zürich, Switzerland"),
        ("Cologne", "Köln, Germany"),
        ("Didsbury", "Didsbury, United Kingdom"),
        ("Sale, UK", "Sale, United Kingdom"),
    ],
)
def test_place_names_resolve_offline_ignoring_case_and_accents(name, label):
    found = resolve_place(name)

    assert found is not None
    assert found[2] == label


def test_manchester_resolves_to_its_centre():
    lat, lon, _ = resolve_place("Manchester")  # type: ignore[misc]

    assert geo.great_circle_km(lat, lon, *MANCHESTER) < 2


@pytest.mark.parametrize("name", ["", "   ", "Nowhereville-on-Sea", "Manchester, Atlantis"])
def test_unknown_places_resolve_to_none(name):
    assert resolve_place(name) is None


def test_normalise():
    assert normalise("  São-Paulo ") == "sao paulo"
    assert normalise("Ashton-under-Lyne") == "ashton under lyne"


def test_locations_table_has_the_composite_index():
    indexes = [index.name for index in Location._meta.indexes]
    assert "directory_location_lat_lon" in indexes


def _assert_page_scores_are_the_sql_scores(page) -> None:
    """The page (re-ranked in Python) lists the SQL's order with the SQL's scores."""
    ranked, _, _ = search_query.ranked_therapists(
        search_query.SearchFilters(latitude=LAT, longitude=LON, radius_km=25),
        today=timezone.localdate(),
        count=10,
    )
    assert ids(page) == [pk for pk, _, _ in ranked]
    sql_scores = {pk: value for pk, _, value in ranked}
    for result in page.results:
        assert sql_scores[result.profile.pk] == pytest.approx(result.ranked.score, abs=1e-9)


def test_reported_relief_ranks_a_therapist_up_shrunk_and_with_its_reason():
    unknown = TherapistProfileFactory(location__latitude=NORTH_1KM)
    helpful = TherapistProfileFactory(location__latitude=NORTH_1KM)
    modest = TherapistProfileFactory(location__latitude=NORTH_1KM)
    reported_outcome(helpful, 3.0, 40)
    reported_outcome(modest, 0.5, 40)
    search_table.rebuild()

    page = search()

    # The overall mean is 1.75 points: the unknown therapist sits between the two.
    assert ids(page) == [helpful.pk, unknown.pk, modest.pk]
    reasons = {r.profile.pk: r.ranked.reasons for r in page.results}
    assert "patients report a median 3.0-point drop in pain (40 patients)" in reasons[helpful.pk]
    assert not any("patients report" in line for line in reasons[unknown.pk])
    _assert_page_scores_are_the_sql_scores(page)


def test_page_scores_stay_the_sql_scores_while_figures_wait_for_the_daily_refresh():
    helpful = TherapistProfileFactory(location__latitude=NORTH_1KM)
    modest = TherapistProfileFactory(location__latitude=NORTH_1KM)
    newcomer = TherapistProfileFactory(location__latitude=NORTH_5KM)
    reported_outcome(helpful, 3.0, 40)
    reported_outcome(modest, 0.5, 40)
    search_table.rebuild()
    # Figures written since the table was built move the overall mean; the table waits for
    # the daily refresh, and the page must rank by the terms the SQL ranked by.
    reported_outcome(newcomer, 6.0, 200)

    page = search()

    _assert_page_scores_are_the_sql_scores(page)


def test_the_daily_outcome_refresh_brings_the_search_table_up_to_date():
    from sciaticare.directory.models import SearchEntry
    from sciaticare.outcomes.practice_services import refresh_outcomes

    TherapistProfileFactory(location__latitude=NORTH_1KM)
    prior = SearchEntry.objects.get().outcome_term
    SearchEntry.objects.update(outcome_term=0.99)

    refresh_outcomes()

    assert SearchEntry.objects.get().outcome_term == pytest.approx(prior)


class _FreeSoonerFartherOut:
    """A ledger whose therapists farther out are free sooner, so that re-ranking the first
    RERANK_WINDOW matches by soonness moves them: the farthest is free within the hour, each
    nearer one 12 hours later."""

    def __init__(self, nearest_first: list[int]) -> None:
        now = timezone.now()
        self.free = {
            pk: now + timedelta(hours=1 + 12 * (len(nearest_first) - 1 - i))
            for i, pk in enumerate(nearest_first)
        }

    def next_available(self, therapist_ids, *, within=None):
        return {pk: self.free.get(pk) for pk in therapist_ids}


@pytest.mark.parametrize("page_size", [3, 7, 20, 25, 50])
def test_every_page_size_gives_one_order_with_each_match_once(monkeypatch, page_size):
    # More matches than the re-ranked head (RERANK_WINDOW), at growing distances.
    nearest_first = [
        TherapistProfileFactory(location__latitude=NORTH_1KM + i * 0.0002).pk for i in range(26)
    ]
    ledger = _FreeSoonerFartherOut(nearest_first)
    monkeypatch.setattr(search_module, "ledger", lambda: ledger)
    whole = ids(search(page_size=50))
    assert sorted(whole) == sorted(nearest_first)
    assert whole[:RERANK_WINDOW] != nearest_first[:RERANK_WINDOW]  # re-ranking moved them

    paged = []
    for number in range(1, -(-len(whole) // page_size) + 1):
        paged += ids(search(page=number, page_size=page_size))

    assert paged == whole
