"""The ranked radius search as one SQL statement, the same on SQLite and PostgreSQL.

Why SQL and not Python: a search near a city centre can match thousands of therapists, and
only 20 are shown. Scoring them all in Python costs tens of milliseconds; the database scores
and orders them in a few, and Python (``ranking.score``) then scores only the page shown, to
write the reasons. The score expression below is ``ranking.score`` term by term, with the
weights and constants taken from :class:`ranking.Weights`; ``tests/directory/test_search.py``
checks that both give the same order.

The statement, in three steps:

1. **points** — every place a therapist can be met within the bounding box of the circle
   (``geo.bounding_box``): their clinics' locations (an index range scan on
   ``directory_location_lat_lon``) and, for mobile therapists, their base (on
   ``directory_profile_base_lat_lon``) when the searcher is inside their service radius. Each
   gets its exact great-circle distance (the haversine of ``geo.great_circle_km``).
2. **nearest** — one row per therapist: the nearest of their points inside the circle.
3. the profile filters, the score, ``COUNT(*) OVER ()`` for the total, and the page in the
   stable order score, distance, id.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from sciaticare.directory import geo
from sciaticare.directory.models import Location, SessionType, TherapistLocation, TherapistProfile
from sciaticare.directory.ranking import (
    DEFAULT_WEIGHTS,
    PatientFit,
    Weights,
    fit_needs,
    unwired_term_values,
)

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


def _tables() -> dict[str, str]:
    user_model = TherapistProfile._meta.get_field("user").related_model
    assert user_model is not None
    assert not isinstance(user_model, str)
    return {
        "location": Location._meta.db_table,
        "therapist_location": TherapistLocation._meta.db_table,
        "profile": TherapistProfile._meta.db_table,
        "session_type": SessionType._meta.db_table,
        "user": user_model._meta.db_table,
    }


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


def _licence_sql() -> str:
    return (
        "(p.licence_verified_on IS NOT NULL"
        " AND (p.licence_expires_on IS NULL OR p.licence_expires_on >= %s))"
    )


def _modality_any(codes: frozenset[str]) -> str:
    return "(" + " OR ".join(f"p.offers_{code}" for code in sorted(codes)) + ")"


def _score_sql(filters: SearchFilters, weights: Weights, today: Any) -> tuple[str, list[Any]]:
    """``ranking.score`` as an SQL expression over ``p`` (profile) and ``n`` (distance)."""
    w = weights
    unwired = unwired_term_values(w)
    needs = fit_needs(filters.fit)
    params: list[Any] = []
    terms: list[str] = []

    terms.append(
        f"{_F} * (CASE WHEN n.distance_km >= {_F} THEN 0.0 ELSE 1.0 - n.distance_km / {_F} END)"
    )
    params += [w.distance, filters.radius_km, filters.radius_km]
    for column, half, weight in (
        ("years_sciatica", w.sciatica_half_years, w.sciatica),
        ("years_experience", w.experience_half_years, w.experience),
    ):
        years = f"CAST(p.{column} AS DOUBLE PRECISION)"
        terms.append(
            f"{_F} * (CASE WHEN p.{column} > 0 THEN {years} / ({years} + {_F}) ELSE 0.0 END)"
        )
        params += [weight, half]
    terms.append(f"{_F} * (CASE WHEN {_licence_sql()} THEN 1.0 ELSE 0.0 END)")
    params += [w.licence, today]
    terms.append(
        f"{_F} * ((CASE WHEN p.review_count > 0 AND p.review_mean IS NOT NULL"
        f" THEN (p.review_count * p.review_mean + {_F} * {_F}) / (p.review_count + {_F})"
        f" ELSE {_F} END) - 1.0) / 4.0"
    )
    params += [w.reviews, w.prior_weight, w.prior_mean, w.prior_weight, w.prior_mean]
    if needs:
        met = " + ".join(
            f"(CASE WHEN {_modality_any(need)} THEN 1.0 ELSE 0.0 END)" for need in needs
        )
        terms.append(f"{_F} * ({met}) / {_F}")
        params += [w.fit, float(len(needs))]
    else:
        terms.append(_F)
        params.append(w.fit)
    terms.append(_F)
    params.append(w.soonness * unwired["soonness"] + w.outcome * unwired["outcome"])
    total_weight = sum(w.term_weights().values())
    return "(" + " + ".join(terms) + f") / {_F}", [*params, total_weight]


def build(
    filters: SearchFilters,
    *,
    today: date,
    limit: int | None,
    offset: int = 0,
    weights: Weights = DEFAULT_WEIGHTS,
    count_only: bool = False,
) -> tuple[str, list[Any]]:
    """The search statement and its parameters.

    Rows are ``(therapist profile id, distance_km, score, total)``, best first; with
    ``count_only`` the single row is the number of matches. ``limit=None`` returns every match.
    """
    t = _tables()
    vendor = connection.vendor
    box = geo.bounding_box(filters.latitude, filters.longitude, filters.radius_km)
    today_param = connection.ops.adapt_datefield_value(today)
    sql = _Sql()

    # 1. points: locations, then mobile therapists' bases.
    loc_distance, loc_distance_params = _distance_sql("l.latitude", "l.longitude", filters)
    loc_box, loc_box_params = _box_sql("l.latitude", "l.longitude", box)
    sql.add("WITH points AS (")
    sql.add(
        f"  SELECT tl.therapist_id AS therapist_id, {loc_distance} AS distance_km",
        *loc_distance_params,
    )
    sql.add(f"  FROM {t['location']} l")
    sql.add(f"  JOIN {t['therapist_location']} tl ON tl.location_id = l.id")
    sql.add(f"  WHERE {loc_box}", *loc_box_params)
    for flag in ("step_free", "parking", "adjustable_table"):
        if getattr(filters, flag):
            sql.add(f"    AND l.{flag}")
    # Home visits need no premises: they meet step-free and parking, but nobody has checked
    # a mobile therapist's table, so they drop out when a height-adjustable one is asked for.
    if not filters.adjustable_table:
        base_distance, base_distance_params = _distance_sql(
            "b.base_latitude", "b.base_longitude", filters
        )
        base_box, base_box_params = _box_sql("b.base_latitude", "b.base_longitude", box)
        sql.add("  UNION ALL")
        sql.add(f"  SELECT b.id, {base_distance}", *base_distance_params)
        sql.add(f"  FROM {t['profile']} b")
        sql.add(f"  WHERE b.is_mobile AND {base_box}", *base_box_params)
        sql.add(f"    AND {base_distance} <= b.service_radius_km", *base_distance_params)
    sql.add(")")

    # 2. nearest: one row per therapist.
    sql.add(", nearest AS (")
    sql.add("  SELECT therapist_id, MIN(distance_km) AS distance_km FROM points")
    sql.add(f"  WHERE distance_km <= {_F} GROUP BY therapist_id", filters.radius_km)
    sql.add(")")

    # 3. filters, score, order, page.
    score, score_params = _score_sql(filters, weights, today_param)
    if count_only:
        sql.add("SELECT COUNT(*)")
    else:
        sql.add(
            f"SELECT p.id, n.distance_km, {score} AS score, COUNT(*) OVER () AS total",
            *score_params,
        )
    sql.add("FROM nearest n")
    sql.add(f"JOIN {t['profile']} p ON p.id = n.therapist_id")
    sql.add(f"JOIN {t['user']} u ON u.id = p.user_id")
    if filters.max_price is not None:
        sql.add(
            f"JOIN {t['session_type']} st ON st.therapist_id = p.id AND st.is_standard"
            " AND st.price <= %s",
            float(filters.max_price),
        )
    sql.add("WHERE u.is_active")
    if not filters.include_unverified:
        sql.add(f"  AND {_licence_sql()}", today_param)
    if filters.modality is not None:
        sql.add(f"  AND p.offers_{filters.modality}")
    if filters.accepting_new:
        sql.add("  AND p.accepting_new_patients")
    if filters.language is not None:
        if vendor == "postgresql":
            sql.add("  AND p.languages @> %s::jsonb", json.dumps([filters.language]))
        else:
            sql.add(
                "  AND EXISTS (SELECT 1 FROM json_each(p.languages) lang WHERE lang.value = %s)",
                filters.language,
            )
    if not count_only:
        sql.add("ORDER BY score DESC, n.distance_km ASC, p.id ASC")
        if limit is not None:
            sql.add("LIMIT %s OFFSET %s", limit, offset)
    return str(sql), sql.params


def prefilter(filters: SearchFilters) -> tuple[str, list[Any]]:
    """The bounding-box prefilter alone, counted in the database (the benchmark's floor)."""
    box = geo.bounding_box(filters.latitude, filters.longitude, filters.radius_km)
    where, params = _box_sql("l.latitude", "l.longitude", box)
    # Table names come from the models and values are bound parameters: nothing is injected.
    return f"SELECT COUNT(*) FROM {_tables()['location']} l WHERE {where}", params  # noqa: S608
