"""A search in a crowded circle (a national directory, issue 19): it counts therapists up to
``COUNT_LIMIT`` and then says "more than", and it ranks the places nearest the centre first,
with the same therapists in the same order, at the same scores, as ranking the whole circle.

``COUNT_LIMIT`` is made small here, so that a few factory therapists crowd a circle."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sciaticare.directory import search_query
from sciaticare.directory.ranking import (
    DEFAULT_WEIGHTS,
    Candidate,
    PatientFit,
    score,
    therapist_part,
)
from sciaticare.directory.selectors.search import search_therapists
from tests.directory.factories import MANCHESTER, ReviewFactory, TherapistProfileFactory

pytestmark = pytest.mark.django_db

LAT, LON = MANCHESTER
DEG_PER_KM = 1 / 111.2  # of latitude
LIMIT = 6


@pytest.fixture(autouse=True)
def small_count_limit(monkeypatch):
    monkeypatch.setattr(search_query, "COUNT_LIMIT", LIMIT)


def filters(radius_km: float = 25.0, **more) -> search_query.SearchFilters:
    return search_query.SearchFilters(latitude=LAT, longitude=LON, radius_km=radius_km, **more)


def whole_circle(f: search_query.SearchFilters, count: int) -> list[tuple[int, float, float]]:
    """The reference: the best ``count`` therapists ranked over the whole circle at once."""
    limit = max(2 * count, 8)
    while True:
        sql, params = search_query.build(f, today=timezone.localdate(), limit=limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        best = search_query.best_per_therapist(rows)
        if len(best) >= count or len(rows) < limit:
            return [(int(r[0]), float(r[1]), float(r[2])) for r in best[:count]]
        limit *= 2


def ranked(f: search_query.SearchFilters, count: int) -> tuple[search_query.Ranking, list[str]]:
    """The ranking and its ranked statements (not the count of the table's rows)."""
    with CaptureQueriesContext(connection) as queries:
        ranking = search_query.ranked_therapists(f, today=timezone.localdate(), count=count)
    return ranking, [q["sql"] for q in queries.captured_queries if q["sql"].startswith("WITH")]


def at_km(km: float, **figures):
    return TherapistProfileFactory(location__latitude=LAT + km * DEG_PER_KM, **figures)


def test_a_crowded_centre_is_counted_as_more_than_the_limit_and_ranked_in_one_statement():
    # Equal figures: the nearest rank first, and all of them lie in the first circle (5 km).
    near = [at_km(0.3 * i) for i in range(10)]
    at_km(20.0)

    ranking, statements = ranked(filters(), count=3)

    assert (ranking.total, ranking.exact) == (LIMIT, False)
    assert [pk for pk, _, _ in ranking.therapists] == [t.pk for t in near[:3]]
    assert ranking.therapists == whole_circle(filters(), 3)
    assert len(statements) == 1


def test_a_better_therapist_beyond_the_first_circle_still_ranks_first():
    for i in range(10):  # within the first circle (5 km of 25), new to the work
        at_km(0.4 * i, years_experience=1, years_sciatica=0)
    star = at_km(9.0, years_experience=30, years_sciatica=30)
    for _ in range(12):
        ReviewFactory(therapist=star, rating=5)

    for count in (1, 3, 8):
        ranking, statements = ranked(filters(), count=count)

        assert ranking.therapists == whole_circle(filters(), count)
        assert ranking.therapists[0][0] == star.pk
        assert ranking.exact is False
        # The first circle's rows, then once more out to where the star might be; for 8 (16
        # rows) the first circle holds too few rows, and each try doubles it.
        assert len(statements) == (2 if count < 8 else 4)


def test_varied_crowds_rank_as_the_whole_circle_does():
    rng = random.Random(19)
    for _ in range(40):
        experience = rng.randint(0, 30)
        made = TherapistProfileFactory(
            location__latitude=LAT + rng.uniform(-12, 12) * DEG_PER_KM,
            location__longitude=LON + rng.uniform(-0.2, 0.2),
            years_experience=experience,
            years_sciatica=rng.randint(0, experience),
            offers_prenatal=rng.random() < 0.4,
            licence=rng.random() < 0.8,
        )
        for _ in range(rng.choice((0, 1, 4))):
            ReviewFactory(therapist=made, rating=rng.randint(1, 5))
    fit = PatientFit(pregnant=True)

    for f in (
        filters(),
        filters(radius_km=10),
        filters(include_unverified=True, fit=fit),
        filters(modality="prenatal"),
    ):
        for count in (1, 5, 20):
            ranking, _ = ranked(f, count=count)

            assert ranking.therapists == whole_circle(f, count), (f, count)


def test_fewer_hits_than_the_count_reads_are_counted_exactly():
    for i in range(LIMIT + 2):  # more therapists than the limit, fewer than 1.5 × its hits
        at_km(3.0 * i)
    for i in range(4):  # and, far away, enough that the table holds more than a count reads
        at_km(200.0 + i)

    ranking, statements = ranked(filters(), count=20)

    assert (ranking.total, ranking.exact) == (LIMIT + 2, True)
    assert ranking.therapists == whole_circle(filters(), 20)
    assert len(statements) == 2  # the first circle, then the whole one


def test_a_table_smaller_than_a_count_reads_is_ranked_whole_in_one_statement():
    """A city's directory: no circle can be crowded, so the narrower first statement is
    skipped. The table's rows are counted once, and again after a write to it."""
    made = [at_km(3.0 * i) for i in range(LIMIT + 2)]  # 8 rows; a count reads up to 9

    ranking, statements = ranked(filters(), count=20)
    with CaptureQueriesContext(connection) as again:
        assert search_query.ranked_therapists(filters(), today=timezone.localdate(), count=20)

    assert (ranking.total, ranking.exact) == (LIMIT + 2, True)
    assert ranking.therapists == whole_circle(filters(), 20)
    assert [pk for pk, _, _ in ranking.therapists] == [t.pk for t in made]
    assert len(statements) == 1
    assert len(again) == 1  # the count is kept
    at_km(200.0)  # a write to the table: the next search counts again, and finds it full
    ranking, statements = ranked(filters(), count=20)
    assert ranking.therapists == whole_circle(filters(), 20)
    assert len(statements) == 2


def test_pages_go_on_past_the_count_in_the_whole_circles_order():
    made = [at_km(0.2 * i) for i in range(12)]

    pages = [search_therapists(lat=LAT, lon=LON, page=n, page_size=4) for n in (1, 2, 3)]

    assert [(p.count, p.count_exact) for p in pages] == [(LIMIT, False)] * 3
    assert [r.profile.pk for p in pages for r in p.results] == [t.pk for t in made]


def test_the_search_page_and_the_api_say_more_than(client):
    for i in range(10):
        at_km(0.3 * i)

    body = client.get(reverse("directory:search"), {"place": "Manchester"}).content.decode()
    answer = client.get("/api/v1/therapists", {"lat": LAT, "lon": LON}).json()

    assert f"More than {LIMIT} therapists within 25 km of Manchester" in body
    assert (answer["count"], answer["count_exact"]) == (LIMIT, False)


@given(
    beyond_km=st.floats(0.0, 30.0),
    further_km=st.floats(0.0, 30.0),
    sciatica=st.integers(0, 70),
    extra=st.integers(0, 70),
    review_count=st.integers(0, 500),
    review_mean=st.floats(1.0, 5.0),
    outcome=st.floats(0.0, 1.0),
    pregnant=st.booleans(),
)
def test_no_place_beyond_a_distance_outscores_the_bound_there(
    beyond_km, further_km, sciatica, extra, review_count, review_mean, outcome, pregnant
):
    """The bound that lets a crowded search stop early is ``ranking.score`` at that distance
    with every other term at its best: anyone farther out scores at most that."""
    experience = min(70, sciatica + extra)
    candidate = Candidate(
        distance_km=beyond_km + further_km,
        radius_km=25.0,
        sciatica_years=sciatica,
        experience_years=experience,
        licence_verified_on=timezone.localdate(),
        review_count=review_count,
        review_mean=review_mean,
        modalities=frozenset({"prenatal"}),
        outcome_term_stored=outcome,
    )
    part = therapist_part(
        sciatica_years=sciatica,
        experience_years=experience,
        review_count=review_count,
        review_mean=review_mean,
    )
    fit = PatientFit(pregnant=pregnant)

    bound = search_query.score_bound(filters(fit=fit), beyond_km, part, outcome)

    assert score(candidate, fit, DEFAULT_WEIGHTS).score <= bound + 1e-12
    if further_km == 0.0 and beyond_km <= 25.0:
        assert score(candidate, fit, DEFAULT_WEIGHTS).score == pytest.approx(bound, abs=1e-12)
