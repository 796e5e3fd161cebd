"""The ranked radius search as SQL statements, the same on SQLite and PostgreSQL.

Why SQL and not Python: a search near a city centre can match thousands of therapists, and
only 20 are shown. Scoring them all in Python costs tens of milliseconds; the database scores
and orders them in a few, and Python (``ranking.score``) then scores only the page shown, to
write the reasons. The score expression below is ``ranking.score`` term by term, with the
weights and constants taken from :data:`ranking.DEFAULT_WEIGHTS`;
``tests/directory/test_search.py`` checks that both give the same order and scores.

They read the search table alone (``SearchEntry``: one row per therapist and place, every
filter and the therapist-only part of the score copied in), from the covering index
``directory_search_covering``, so no candidate costs a lookup of its profile or user row. The
index is ordered by strip of latitude, then longitude (``geo.latitude_band``): a box is read as
one range of longitudes in each strip it crosses.

Each statement, in three steps:

1. **hits** — every row inside the bounding box of a circle (``geo.bounding_box``) that passes
   the filters, with its exact great-circle distance (the haversine of
   ``geo.great_circle_km``).
2. **in reach** — the hits inside the circle (and, for a home visit, inside the therapist's
   service radius), each scored.
3. the best rows in the stable order score, distance, id. A therapist with several places has
   several rows; their first is their nearest (:func:`best_per_therapist`). Ranking rows needs
   a bounded sort of the top few, where grouping by therapist first sorted every hit.

No search reads every match near a crowded centre (30,000 therapists within 25 km of New York
in a directory of a million; reading and counting them took 50–100 ms, the count alone 30–60):

- The first statement ranks and counts within :data:`FIRST_REACH` of the radius. When that
  circle alone holds more than :data:`COUNT_LIMIT` therapists, the search says "more than"
  :data:`COUNT_LIMIT` (50 pages of 20).
- Otherwise a second statement ranks and counts the whole circle, reading at most 1,500 hits
  (1.5 × :data:`COUNT_LIMIT`): fewer, and they were every hit, so its ranking and count are
  the search's; as many, "more than" again.
- A ranking within a smaller circle than the search's stands when the last row wanted
  outscores what any place farther out could score: what a therapist with the best figures in
  the table would score there (:func:`score_bound`). Otherwise the ranking is redone once,
  out to the distance where a place could still outscore that last row (twice as far when the
  circle held fewer rows than wanted).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections

from sciaticare.core.sql import Dialect, table
from sciaticare.directory import geo
from sciaticare.directory.models import SearchEntry, modality_bits
from sciaticare.directory.ranking import (
    DEFAULT_WEIGHTS,
    PatientFit,
    fit_needs,
    unwired_term_values,
)

#: Rows asked for per therapist wanted: most have one place in a circle, some two or three.
ROWS_PER_THERAPIST = 2
#: A search counts the therapists it matches up to this many (50 pages of 20), then says "more
#: than": a count reads every match, the page a few dozen.
COUNT_LIMIT = 1000
#: A search ranks and counts within this share of its radius first. Among a million therapists
#: the best 20 within 25 km of a big city's centre lie within 4–6 km of it (docs/benchmarks.md),
#: and 5 km around New York's centre hold more than COUNT_LIMIT of them.
FIRST_REACH = 0.2
# Scores are compared with a bound computed in Python: a margin far above the rounding of
# either side, far below any difference a ranking shows.
_SCORE_MARGIN = 1e-9
_DEG = math.pi / 180.0
# A bound number as a double: PostgreSQL types a bare 0.3 as numeric, whose arithmetic is slow.
_F = "CAST(%s AS DOUBLE PRECISION)"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What the person asked for; every filter is optional except the circle."""

    latitude: float
    longitude: float
    radius_km: float
    modality: str | None = None
    language: str | None = None
    max_price: float | None = None
    step_free: bool = False
    parking: bool = False
    adjustable_table: bool = False
    accepting_new: bool = False
    include_unverified: bool = False
    fit: PatientFit = field(default_factory=PatientFit)


@dataclass
class _Sql:
    text: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, text: str, *params: Any) -> None:
        self.text.append(text)
        self.params.extend(params)

    def __str__(self) -> str:
        return "\n".join(self.text)


def _distance_sql(lat_col: str, lon_col: str, filters: SearchFilters) -> tuple[str, list[float]]:
    """The haversine distance in km from the search centre to ``(lat_col, lon_col)``."""
    # h = sin²(Δφ/2) + cos φ1 · cos φ2 · sin²(Δλ/2);  d = 2R · asin(√h)  (geo.great_circle_km)
    sql = (
        f"({_F} * ASIN(SQRT("
        f"SIN(({lat_col} - {_F}) * {_F}) * SIN(({lat_col} - {_F}) * {_F})"
        f" + {_F} * COS({lat_col} * {_F})"
        f" * SIN(({lon_col} - {_F}) * {_F}) * SIN(({lon_col} - {_F}) * {_F}))))"
    )
    half = _DEG / 2.0
    lat0, lon0 = filters.latitude, filters.longitude
    params = [2.0 * geo.EARTH_MEAN_RADIUS_KM, lat0, half, lat0, half]
    params += [math.cos(lat0 * _DEG), _DEG, lon0, half, lon0, half]
    return sql, params


def _box_sql(box: geo.BoundingBox) -> tuple[str, list[Any]]:
    """The rows of ``s`` inside the box: each strip of latitude it crosses, from its west edge
    to its east edge (the covering index's order), latitude tested in the index entry."""
    bands = list(box.latitude_bands())
    ranges = box.lon_ranges()
    lon_sql = " OR ".join(f"s.longitude BETWEEN {_F} AND {_F}" for _ in ranges)
    lon_params: list[Any] = [edge for edges in ranges for edge in edges]
    lat_params = [box.min_lat, box.max_lat]
    in_box = f"AND ({lon_sql}) AND s.latitude BETWEEN {_F} AND {_F}"
    if Dialect.current().postgres:
        # One array, not a mark per strip: psycopg converts a statement of at most 50
        # parameters once and keeps it (a search across 25 km crosses 23 strips).
        return f"s.latitude_band = ANY(%s) {in_box}", [bands, *lon_params, *lat_params]
    marks = ", ".join(["%s"] * len(bands))
    return f"s.latitude_band IN ({marks}) {in_box}", [*bands, *lon_params, *lat_params]


def _score_sql(filters: SearchFilters, today: Any) -> tuple[str, list[Any]]:
    """``ranking.score`` as an SQL expression over ``h`` (a hit: one row with its distance)."""
    w = DEFAULT_WEIGHTS
    unwired = unwired_term_values(w)
    needs = fit_needs(filters.fit)
    params: list[Any] = []
    terms: list[str] = []

    terms.append(
        f"{_F} * (CASE WHEN h.distance_km >= {_F} THEN 0.0 ELSE 1.0 - h.distance_km / {_F} END)"
    )
    params += [w.distance, filters.radius_km, filters.radius_km]
    # Sciatica, experience and reviews, weighted: ranking.therapist_part, stored per row.
    terms.append("h.therapist_score")
    terms.append(f"{_F} * (CASE WHEN h.licence_valid_until >= %s THEN 1.0 ELSE 0.0 END)")
    params += [w.licence, today]
    if needs:
        met = " + ".join(
            "(CASE WHEN (h.modalities & %s) <> 0 THEN 1.0 ELSE 0.0 END)" for _ in needs
        )
        terms.append(f"{_F} * ({met}) / {_F}")
        params += [w.fit, *(modality_bits(need) for need in needs), float(len(needs))]
    else:
        terms.append(_F)
        params.append(w.fit)
    terms.append(f"{_F} * h.outcome_term")
    params.append(w.outcome)
    terms.append(_F)
    params.append(w.soonness * unwired["soonness"])
    total_weight = sum(w.term_weights().values())
    return "(" + " + ".join(terms) + f") / {_F}", [*params, total_weight]


def score_bound(
    filters: SearchFilters, beyond_km: float, best_part: float, best_outcome: float
) -> float:
    """The most any row farther than ``beyond_km`` from the centre can score in
    :func:`_score_sql`: the distance term at ``beyond_km``, every other term at its best (the
    therapist part and outcome term at the best in the table, licence and fit in full)."""
    w = DEFAULT_WEIGHTS
    distance = max(0.0, 1.0 - beyond_km / filters.radius_km)
    soonness = w.soonness * unwired_term_values(w)["soonness"]
    best = w.distance * distance + best_part + w.licence + w.fit + w.outcome * best_outcome
    return (best + soonness) / sum(w.term_weights().values())


def _language_pattern(code: str) -> str | None:
    """The LIKE pattern of one ISO 639-1 code in ``SearchEntry.languages``, None if not one."""
    if len(code) == 2 and code.isascii() and code.isalpha():
        return f"%,{code.lower()},%"
    return None


def _hits(sql: _Sql, filters: SearchFilters, box: geo.BoundingBox, today: Any) -> None:
    """``SELECT`` of the rows in the box that pass the filters, with their distance."""
    distance, distance_params = _distance_sql("s.latitude", "s.longitude", filters)
    in_box, box_params = _box_sql(box)
    sql.add(
        f"  SELECT s.therapist_id AS therapist_id, {distance} AS distance_km,"
        " s.reach_km AS reach_km, s.therapist_score AS therapist_score,"
        " s.outcome_term AS outcome_term, s.licence_valid_until AS licence_valid_until,"
        " s.modalities AS modalities",
        *distance_params,
    )
    sql.add(f"  FROM {table(SearchEntry)} s")
    sql.add(f"  WHERE {in_box}", *box_params)
    if filters.modality is not None:
        sql.add("    AND (s.modalities & %s) <> 0", modality_bits([filters.modality]))
    if not filters.include_unverified:
        sql.add("    AND s.licence_valid_until >= %s", today)
    if filters.accepting_new:
        sql.add("    AND s.accepting_new")
    # Home-visit rows carry step-free and parking, not a height-adjustable table.
    for flag in ("step_free", "parking", "adjustable_table"):
        if getattr(filters, flag):
            sql.add(f"    AND s.{flag}")
    if filters.max_price is not None:
        sql.add("    AND s.standard_price <= %s", float(filters.max_price))
    if filters.language is not None:
        pattern = _language_pattern(filters.language)
        if pattern is None:
            sql.add("    AND 1 = 0")
        else:
            sql.add("    AND s.languages LIKE %s", pattern)
    # A fence: without it PostgreSQL inlines the distance expression into each use outside and
    # computes the haversine two or three times a row. SQLite keeps the computed column.
    if Dialect.current().postgres:
        sql.add("  OFFSET 0")


def build(
    filters: SearchFilters,
    *,
    today: date,
    limit: int,
    within_km: float | None = None,
    tally: int | None = None,
    most_hits: int | None = None,
) -> tuple[str, list[Any]]:
    """A ranked statement and its parameters: the best ``limit`` hits (rows, not therapists)
    within ``within_km`` of the centre (the search radius when None), scored for the search.

    Rows are ``(therapist profile id, distance_km, score)``, best first. A therapist with
    several places in the circle has a row for each; their best-scored row is their nearest
    place, and comes first (see :func:`best_per_therapist`).

    With ``tally``, each row also carries the therapists among the first ``tally`` hits read,
    the number of hits read, and the best therapist part and outcome term in the table (each
    read at the top of its index); with ``most_hits``, the statement reads at most that many
    hits, and ranks those.
    """
    within = filters.radius_km if within_km is None else min(within_km, filters.radius_km)
    box = geo.bounding_box(filters.latitude, filters.longitude, within)
    today_param = connection.ops.adapt_datefield_value(today)
    score, score_params = _score_sql(filters, today_param)
    sql = _Sql()
    sql.add("WITH hits AS (")
    _hits(sql, filters, box, today_param)
    sql.add(")")
    if tally is None:
        sql.add(f"SELECT h.therapist_id, h.distance_km, {score} AS score", *score_params)
        sql.add(f"FROM hits h WHERE h.distance_km <= {_F}", within)
        sql.add("  AND (h.reach_km IS NULL OR h.distance_km <= h.reach_km)")
        sql.add("ORDER BY score DESC, h.distance_km ASC, h.therapist_id ASC")
        sql.add("LIMIT %s", limit)
        return str(sql), sql.params
    # Materialised: read for the page and for the count.
    entries = table(SearchEntry)
    sql.add(", in_reach AS MATERIALIZED (")
    sql.add(f"  SELECT h.therapist_id, h.distance_km, {score} AS score", *score_params)
    sql.add(f"  FROM hits h WHERE h.distance_km <= {_F}", within)
    sql.add("    AND (h.reach_km IS NULL OR h.distance_km <= h.reach_km)")
    if most_hits is not None:
        sql.add("  LIMIT %s", most_hits)
    sql.add(")")
    sql.add("SELECT therapist_id, distance_km, score,")
    # Therapists among the first hits only: enough to tell a crowded circle, half the sorting.
    sql.add("  (SELECT COUNT(DISTINCT therapist_id) FROM (")
    sql.add("    SELECT therapist_id FROM in_reach LIMIT %s) AS first_hits) AS therapists,", tally)
    sql.add("  (SELECT COUNT(*) FROM in_reach) AS hits_read,")
    # The table name comes from the model; values are bound parameters.
    sql.add(f"  (SELECT MAX(therapist_score) FROM {entries}) AS best_part,")  # noqa: S608
    sql.add(f"  (SELECT MAX(outcome_term) FROM {entries}) AS best_outcome")  # noqa: S608
    sql.add("FROM in_reach")
    sql.add("ORDER BY score DESC, distance_km ASC, therapist_id ASC")
    sql.add("LIMIT %s", limit)
    return str(sql), sql.params


def best_per_therapist(rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
    """Each therapist's first row, in order: their nearest place, and their rank.

    A therapist's rows differ only in distance, and the score falls with distance, so in the
    statement's order their first row is the nearest one, and the order of first rows is the
    order of therapists.
    """
    seen: set[int] = set()
    best = []
    for row in rows:
        if row[0] not in seen:
            seen.add(row[0])
            best.append(row)
    return best


class Ranking(NamedTuple):
    """The best therapists of a search, and how many it matched."""

    #: ``(profile id, distance_km, score)``, best first.
    therapists: list[tuple[int, float, float]]
    #: The therapists matched; :data:`COUNT_LIMIT` when there are more (``exact`` false).
    total: int
    exact: bool


@dataclass(frozen=True, slots=True)
class _Read:
    """What one tallied statement read: its best rows, the therapists among its first hits and
    the number of hits, and the best figures in the table."""

    rows: list[Any]
    therapists: int
    hits: int
    best_part: float
    best_outcome: float


def _tallied(
    cursor: Any,
    filters: SearchFilters,
    today: date,
    limit: int,
    within: float,
    *,
    tally: int,
    most_hits: int | None = None,
) -> _Read:
    sql, params = build(
        filters, today=today, limit=limit, within_km=within, tally=tally, most_hits=most_hits
    )
    cursor.execute(sql, params)
    rows = cursor.fetchall()
    if not rows:  # nothing to rank: bound the figures by their weights (each term at most 1)
        w = DEFAULT_WEIGHTS
        return _Read([], 0, 0, w.sciatica + w.experience + w.reviews, 1.0)
    therapists, hits, best_part, best_outcome = rows[0][3:]
    return _Read(rows, int(therapists), int(hits), float(best_part), float(best_outcome))


def _ranked_rows(
    cursor: Any, filters: SearchFilters, today: date, limit: int, within: float
) -> list[Any]:
    sql, params = build(filters, today=today, limit=limit, within_km=within)
    cursor.execute(sql, params)
    return cursor.fetchall()


def _farthest_contender(filters: SearchFilters, score: float, read: _Read) -> float:
    """How far out a place may lie and still outscore ``score`` (:func:`score_bound` solved
    for the distance, a hair farther): ranked within it, the best rows are the search's."""
    w = DEFAULT_WEIGHTS
    if w.distance <= 0.0:
        return filters.radius_km
    top = score_bound(filters, 0.0, read.best_part, read.best_outcome)
    share = (top - score + 2 * _SCORE_MARGIN) * sum(w.term_weights().values()) / w.distance
    return filters.radius_km * min(1.0, max(0.0, share))


def _settle(
    cursor: Any,
    filters: SearchFilters,
    today: date,
    limit: int,
    ranked: tuple[list[Any], float],
    first: _Read,
) -> tuple[list[Any], float]:
    """The best ``limit`` rows of the search and the circle they were ranked in: ``ranked``
    (rows within a distance) if the circle is the search's or the last of them outscores any
    place farther out (:func:`score_bound`); else ranked again out to where a place could
    still outscore the last of them (twice as far when there were fewer rows than wanted)."""
    rows, within = ranked
    while within < filters.radius_km:
        if len(rows) < limit:
            within = min(filters.radius_km, within * 2)
        else:
            bound = score_bound(filters, within, first.best_part, first.best_outcome)
            if rows[-1][2] > bound + _SCORE_MARGIN:
                break
            # The rows farther out that could rank are within this: one more statement settles.
            farthest = _farthest_contender(filters, rows[-1][2], first)
            within = min(filters.radius_km, max(farthest, within * 1.0625))
        rows = _ranked_rows(cursor, filters, today, limit, within)
    return rows, within


def ranked_therapists(
    filters: SearchFilters, *, today: date, count: int, using: str = DEFAULT_DB_ALIAS
) -> Ranking:
    """The best ``count`` therapists as ``(profile id, distance_km, score)``, and the count,
    read from the database ``using`` names (the replica and the primary speak the same SQL).

    Asks for twice as many rows as therapists wanted, and again for more in the rare case that
    several places of the same therapists filled them.

    First ranks and counts within :data:`FIRST_REACH` of the radius. When that circle alone
    holds more than :data:`COUNT_LIMIT` therapists (a crowded centre), the count is "more
    than", and its rows are the search's best unless a place farther out might outscore the
    last of them; then they are ranked once more, out to where one could (:func:`_settle`).
    Otherwise a second statement ranks and counts the whole circle, reading at most 1.5 ×
    :data:`COUNT_LIMIT` hits: fewer, and its ranking and count are the search's.
    """
    limit = max(ROWS_PER_THERAPIST * count, 8)
    radius = filters.radius_km
    # The hits a count reads before it may say "more than": near a crowded centre there are
    # 1.2 hits a therapist (places of one clinic), so 1.5 × COUNT_LIMIT hold more than that.
    most = COUNT_LIMIT * 3 // 2
    with connections[using].cursor() as cursor:
        whole = None
        if _few_places(cursor, using, most):  # no circle is crowded: rank the whole at once
            whole = _tallied(cursor, filters, today, limit, radius, tally=most, most_hits=most)
        if whole is not None and whole.hits < most:  # every hit in the circle was read
            first, ranked, total, crowded = whole, (whole.rows, radius), whole.therapists, False
        else:
            first = _tallied(cursor, filters, today, limit, radius * FIRST_REACH, tally=most)
            ranked = (first.rows, radius * FIRST_REACH)
            crowded = first.therapists > COUNT_LIMIT
            total = COUNT_LIMIT
        while not crowded and ranked[1] < radius:
            whole = _tallied(cursor, filters, today, limit, radius, tally=most, most_hits=most)
            if whole.hits < most:  # every hit in the circle was read
                ranked, total = (whole.rows, radius), whole.therapists
                break
            crowded = whole.therapists > COUNT_LIMIT
            most *= 4  # else the hits read were a few therapists' many places: read on
        rows, within = _settle(cursor, filters, today, limit, ranked, first)
        while len(rows) == limit and len(best_per_therapist(rows)) < count:
            limit *= 2
            ranked = (_ranked_rows(cursor, filters, today, limit, within), within)
            rows, within = _settle(cursor, filters, today, limit, ranked, first)
    therapists = [(int(r[0]), float(r[1]), float(r[2])) for r in best_per_therapist(rows)[:count]]
    return Ranking(therapists, total, not crowded)


#: How long a process trusts its count of the search table's rows (:func:`_few_places`).
PLACES_SECONDS = 60.0
_places: dict[tuple[str, int], tuple[float, int]] = {}


def _few_places(cursor: Any, using: str, most: int) -> bool:
    """Whether the whole table holds fewer rows than a ranked statement may read (``most``):
    then one statement reads every hit of any circle, and the narrower first one would only
    cost a round trip (a city's directory). Counted up to ``most``, at most once every
    :data:`PLACES_SECONDS` in a process and again after its own writes (:func:`forget_places`);
    a count gone stale costs a statement, never a wrong answer (the hits read say it all)."""
    now = time.monotonic()
    kept = _places.get((using, most))
    if kept is None or now - kept[0] > PLACES_SECONDS:
        # The table name comes from the model; the bound is a parameter.
        sql = f"SELECT COUNT(*) FROM (SELECT 1 FROM {table(SearchEntry)} LIMIT %s) AS places"  # noqa: S608
        cursor.execute(sql, [most])
        kept = _places[(using, most)] = (now, int(cursor.fetchone()[0]))
    return kept[1] < most


def forget_places() -> None:
    """The search table was written (search_table): count its rows again at the next search."""
    _places.clear()


def prefilter(filters: SearchFilters) -> tuple[str, list[Any]]:
    """The bounding-box prefilter alone, counted in the database: every index entry in the
    circle's box, which a search that read every match would read (the benchmark prints it)."""
    box = geo.bounding_box(filters.latitude, filters.longitude, filters.radius_km)
    where, params = _box_sql(box)
    # The table name comes from the model and values are bound parameters: nothing is injected.
    return f"SELECT COUNT(*) FROM {table(SearchEntry)} s WHERE {where}", params  # noqa: S608
