"""The ranked radius search as one SQL statement, the same on SQLite and PostgreSQL.

Why SQL and not Python: a search near a city centre can match thousands of therapists, and
only 20 are shown. Scoring them all in Python costs tens of milliseconds; the database scores
and orders them in a few, and Python (``ranking.score``) then scores only the page shown, to
write the reasons. The score expression below is ``ranking.score`` term by term, with the
weights and constants taken from :data:`ranking.DEFAULT_WEIGHTS`;
``tests/directory/test_search.py`` checks that both give the same order and scores.

It reads the search table alone (``SearchEntry``: one row per therapist and place, every
filter and the therapist-only part of the score copied in), from the covering index
``directory_search_covering``, so no candidate costs a lookup of its profile or user row.
The statement, in three steps:

1. **hits** — every row inside the bounding box of the circle (``geo.bounding_box``; a range
   scan on latitude, longitude tested in the index entry) that passes the filters, with its
   exact great-circle distance (the haversine of ``geo.great_circle_km``).
2. **in_reach** — the hits inside the circle (and, for a home visit, inside the therapist's
   service radius), each scored.
3. the best rows in the stable order score, distance, id, each carrying the number of
   therapists matched (``COUNT(DISTINCT …)``). A therapist with several places has several
   rows; their first is their nearest (:func:`best_per_therapist`). Ranking rows needs a
   bounded sort of the top few, where grouping by therapist first sorted every hit (half the
   statement's time near New York).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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


def _box_sql(lat_col: str, lon_col: str, box: geo.BoundingBox) -> tuple[str, list[float]]:
    ranges = box.lon_ranges()
    lon_sql = " OR ".join(f"{lon_col} BETWEEN {_F} AND {_F}" for _ in ranges)
    params: list[float] = [box.min_lat, box.max_lat]
    for low, high in ranges:
        params.extend((low, high))
    return f"{lat_col} BETWEEN {_F} AND {_F} AND ({lon_sql})", params


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


def _language_pattern(code: str) -> str | None:
    """The LIKE pattern of one ISO 639-1 code in ``SearchEntry.languages``, None if not one."""
    if len(code) == 2 and code.isascii() and code.isalpha():
        return f"%,{code.lower()},%"
    return None


def build(filters: SearchFilters, *, today: date, limit: int) -> tuple[str, list[Any]]:
    """The search statement and its parameters: the best ``limit`` hits (rows, not therapists).

    Rows are ``(therapist profile id, distance_km, score, total)``, best first, where
    ``total`` is the number of therapists matched. A therapist with several places in the
    circle has a row for each; their best-scored row is their nearest place, and comes first
    (see :func:`best_per_therapist`).
    """
    entries = table(SearchEntry)
    box = geo.bounding_box(filters.latitude, filters.longitude, filters.radius_km)
    today_param = connection.ops.adapt_datefield_value(today)
    sql = _Sql()

    # 1. hits: the rows in the box that pass the filters, with their distance.
    distance, distance_params = _distance_sql("s.latitude", "s.longitude", filters)
    in_box, box_params = _box_sql("s.latitude", "s.longitude", box)
    sql.add("WITH hits AS (")
    sql.add(
        f"  SELECT s.therapist_id AS therapist_id, {distance} AS distance_km,"
        " s.reach_km AS reach_km, s.therapist_score AS therapist_score,"
        " s.outcome_term AS outcome_term, s.licence_valid_until AS licence_valid_until,"
        " s.modalities AS modalities",
        *distance_params,
    )
    sql.add(f"  FROM {entries} s")
    sql.add(f"  WHERE {in_box}", *box_params)
    if filters.modality is not None:
        sql.add("    AND (s.modalities & %s) <> 0", modality_bits([filters.modality]))
    if not filters.include_unverified:
        sql.add("    AND s.licence_valid_until >= %s", today_param)
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
    # A fence: without it PostgreSQL inlines the distance expression into each use below and
    # computes the haversine three times a row (a third of the statement's time near New York).
    # SQLite keeps the computed column without it.
    if Dialect.current().postgres:
        sql.add("  OFFSET 0")
    sql.add(")")

    # 2. in_reach: the hits inside the circle (and a home visit's service radius), scored.
    # Materialised: read twice below, for the page and for the count.
    score, score_params = _score_sql(filters, today_param)
    sql.add(", in_reach AS MATERIALIZED (")
    sql.add(f"  SELECT h.therapist_id, h.distance_km, {score} AS score", *score_params)
    sql.add(f"  FROM hits h WHERE h.distance_km <= {_F}", filters.radius_km)
    sql.add("    AND (h.reach_km IS NULL OR h.distance_km <= h.reach_km)")
    sql.add(")")

    # 3. the best rows in the stable order, each with the number of therapists. Grouping the
    # rows by therapist first would sort every hit; ranking rows needs only the top few.
    sql.add("SELECT therapist_id, distance_km, score,")
    sql.add("  (SELECT COUNT(DISTINCT therapist_id) FROM in_reach) AS total")
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


def ranked_therapists(
    filters: SearchFilters, *, today: date, count: int, using: str = DEFAULT_DB_ALIAS
) -> tuple[list[tuple[int, float, float]], int]:
    """The best ``count`` therapists as ``(profile id, distance_km, score)``, and the total,
    read from the database ``using`` names (the replica and the primary speak the same SQL).

    Asks for twice as many rows as therapists wanted, and again for more in the rare case
    that several places of the same therapists filled them.
    """
    limit = max(ROWS_PER_THERAPIST * count, 8)
    with connections[using].cursor() as cursor:
        while True:
            sql, params = build(filters, today=today, limit=limit)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            best = best_per_therapist(rows)
            if len(best) >= count or len(rows) < limit:
                total = int(rows[0][3]) if rows else 0
                return [(int(r[0]), float(r[1]), float(r[2])) for r in best[:count]], total
            limit *= 2


def prefilter(filters: SearchFilters) -> tuple[str, list[Any]]:
    """The bounding-box prefilter alone, counted in the database (the benchmark's floor)."""
    box = geo.bounding_box(filters.latitude, filters.longitude, filters.radius_km)
    where, params = _box_sql("s.latitude", "s.longitude", box)
    # The table name comes from the model and values are bound parameters: nothing is injected.
    return f"SELECT COUNT(*) FROM {table(SearchEntry)} s WHERE {where}", params  # noqa: S608
