"""Therapist search: one ranked SQL statement on the search table, then the page read as plain
values and the reasons written in Python (docs/architecture.md, "Directory")."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext

from sciaticare.accounts.models import User
from sciaticare.core.errors import Invalid
from sciaticare.core.replica import late_read_alias
from sciaticare.core.sql import Dialect, fetch_rows, money, table
from sciaticare.directory import geo, search_query
from sciaticare.directory.models import Clinic, Location, SearchEntry, SessionType, TherapistProfile
from sciaticare.directory.ranking import MODALITIES, Candidate, PatientFit, Ranked, score
from sciaticare.directory.sessions import ledger

MAX_RADIUS_KM = 500.0
DEFAULT_RADIUS_KM = 25.0
MAX_PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ListedTherapist:
    """What a search result shows of a therapist (read as plain values, not a model)."""

    pk: int
    first_name: str
    last_name: str
    accepting_new_patients: bool
    languages: tuple[str, ...]
    modalities: frozenset[str]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or gettext("Therapist")

    @property
    def initials(self) -> str:
        parts = [self.first_name, self.last_name]
        return "".join(part[:1].upper() for part in parts if part) or "?"


@dataclass(frozen=True, slots=True)
class ListedLocation:
    """The location a search result is nearest at."""

    pk: int
    name: str
    clinic_name: str
    time_zone: str


@dataclass(frozen=True, slots=True)
class ListedSession:
    """A therapist's standard session, as a search result shows it."""

    name: str
    minutes: int
    price: Decimal
    currency: str


@dataclass(frozen=True)
class SearchResult:
    """One therapist in a search: where they are nearest, how far, and why they match.

    ``location`` is None when the nearest way to see them is a home visit (mobile therapist).
    """

    profile: ListedTherapist
    distance_km: float
    location: ListedLocation | None
    ranked: Ranked
    standard_session: ListedSession | None
    licence_verified: bool
    next_available: datetime | None = None  # the first free standard session (scheduling)

    @property
    def match_score(self) -> float:
        return round(self.ranked.score, 4)


@dataclass(frozen=True)
class SearchPage:
    """A page of results, best first, and where it sits in the whole result.

    ``count`` is the number of therapists matched, or ``search_query.COUNT_LIMIT`` when there
    are more (``count_exact`` false): the pages then go as far as that many.
    """

    results: list[SearchResult]
    count: int
    page: int
    page_size: int
    count_exact: bool = True

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.page_size + 1


def _check_search(
    *, lat: float, lon: float, radius_km: float, modality: str | None, page: int, page_size: int
) -> None:
    errors: list[tuple[str, str]] = []
    if not (-90.0 <= lat <= 90.0):
        errors.append(("lat", gettext("Latitude must be between -90 and 90.")))
    if not (-180.0 <= lon <= 180.0):
        errors.append(("lon", gettext("Longitude must be between -180 and 180.")))
    if not (0.0 < radius_km <= MAX_RADIUS_KM):
        errors.append(
            (
                "radius_km",
                gettext("The radius must be more than 0 and at most %(km)s km.")
                % {"km": f"{MAX_RADIUS_KM:g}"},
            )
        )
    if modality is not None and modality not in MODALITIES:
        errors.append(
            (
                "modality",
                gettext("Unknown modality; use one of %(codes)s.")
                % {"codes": ", ".join(MODALITIES)},
            )
        )
    if page < 1:
        errors.append(("page", gettext("Pages start at 1.")))
    if not (1 <= page_size <= MAX_PAGE_SIZE):
        errors.append(
            ("page_size", gettext("A page holds 1 to %(most)d results.") % {"most": MAX_PAGE_SIZE})
        )
    if errors:
        raise Invalid("invalid_search", gettext("The search has invalid fields."), errors)


def search_therapists(
    *,
    lat: float,
    lon: float,
    radius_km: float = DEFAULT_RADIUS_KM,
    modality: str | None = None,
    language: str | None = None,
    max_price: float | None = None,
    step_free: bool = False,
    parking: bool = False,
    adjustable_table: bool = False,
    accepting_new: bool = False,
    include_unverified: bool = False,
    fit: PatientFit | None = None,
    available_within_days: int | None = None,
    page: int = 1,
    page_size: int = 20,
    today: date | None = None,
) -> SearchPage:
    """Therapists near ``(lat, lon)`` within ``radius_km``, best match first, one page of them.

    Only therapists with a verified licence in force are listed unless ``include_unverified``
    (their results say so). A therapist appears once, at their nearest matching location or
    as a home visit when they are mobile and the point is inside their service radius.
    ``fit`` is what the person's intake says about them (``ranking.PatientFit``).

    A bounded number of queries whatever the number of results: the ranked page and its count
    (``search_query``: one statement on the search table; one to three more in a crowded
    circle, which rank the places nearest its centre), the page read as plain values in
    one query (profiles, users' names, places, locations, standard sessions), and the page's
    first free slots (scheduling's ``next_available``, through the session ledger seam). With
    ``available_within_days`` the filter looks at the ``AVAILABILITY_CANDIDATES`` best-ranked
    matches (a bound on the work a search may do).
    """
    _check_search(
        lat=lat, lon=lon, radius_km=radius_km, modality=modality, page=page, page_size=page_size
    )
    today = today or timezone.localdate()
    fit = fit or PatientFit()
    filters = search_query.SearchFilters(
        latitude=lat,
        longitude=lon,
        radius_km=radius_km,
        modality=modality,
        language=language.strip().lower() if language else None,
        max_price=max_price,
        step_free=step_free,
        parking=parking,
        adjustable_table=adjustable_table,
        accepting_new=accepting_new,
        include_unverified=include_unverified,
        fit=fit,
    )
    offset = (page - 1) * page_size
    # The directory's own reads may be a few seconds late (the replica, when there is one);
    # the next free sessions are scheduling's, read on the primary.
    using = late_read_alias()
    if available_within_days is not None:
        return _available_page(
            filters, today, available_within_days, page=page, page_size=page_size, using=using
        )
    # One order whatever the page size: the RERANK_WINDOW best SQL-ranked matches re-ranked
    # with each one's next free session (soonness), which SQL cannot know, then the rest in
    # SQL order. A page that starts inside that head reads all of it.
    end = offset + page_size
    reranked = offset < RERANK_WINDOW
    ranking = search_query.ranked_therapists(
        filters, today=today, count=max(end, RERANK_WINDOW), using=using
    )
    ranked = [pk for pk, _, _ in ranking.therapists]
    ids = ranked if reranked else ranked[offset:end]
    soonest = ledger().next_available(ids)
    results = _results_for(ids, filters, today, soonest=soonest, using=using)
    if reranked:
        head = sorted(
            results[:RERANK_WINDOW], key=lambda r: (-r.ranked.score, r.distance_km, r.profile.pk)
        )
        results = (head + results[RERANK_WINDOW:])[offset:end]
    return SearchPage(
        results=results,
        count=ranking.total,
        page=page,
        page_size=page_size,
        count_exact=ranking.exact,
    )


#: How many of the best SQL-ranked matches get their next free session into the score: the
#: first page. Each therapist's lookup reads two weeks of their calendar (about 0.6 ms), so a
#: wider window costs every search (docs/benchmarks.md).
RERANK_WINDOW = 20
AVAILABILITY_CANDIDATES = 500


def _available_page(
    filters: search_query.SearchFilters,
    today: date,
    days: int,
    *,
    page: int,
    page_size: int,
    using: str,
) -> SearchPage:
    """Ranked matches with a free standard session within `days`, one page of them."""
    ranking = search_query.ranked_therapists(
        filters, today=today, count=AVAILABILITY_CANDIDATES, using=using
    )
    ranked_ids = [pk for pk, _, _ in ranking.therapists]
    soonest = ledger().next_available(ranked_ids, within=timedelta(days=days))
    free = [pk for pk in ranked_ids if soonest.get(pk) is not None]
    offset = (page - 1) * page_size
    results = _results_for(
        free[offset : offset + page_size], filters, today, soonest=soonest, using=using
    )
    return SearchPage(
        results=results,
        count=len(free),
        page=page,
        page_size=page_size,
    )


# The page read: each of the page's places with its therapist's figures, name, location and
# standard session, in one statement of plain values. Each value's name, and its column.
PAGE_COLUMNS = (
    ("therapist_id", "s.therapist_id"),
    ("location_id", "s.location_id"),
    ("latitude", "s.latitude"),
    ("longitude", "s.longitude"),
    ("reach_km", "s.reach_km"),
    ("outcome_term", "s.outcome_term"),
    ("step_free", "s.step_free"),
    ("parking", "s.parking"),
    ("adjustable_table", "s.adjustable_table"),
    ("location__name", "l.name"),
    ("location__clinic__name", "c.name"),
    ("location__time_zone", "l.time_zone"),
    ("user__first_name", "u.first_name"),
    ("user__last_name", "u.last_name"),
    ("accepting_new_patients", "t.accepting_new_patients"),
    ("languages", "t.languages"),
    ("years_experience", "t.years_experience"),
    ("years_sciatica", "t.years_sciatica"),
    ("licence_verified_on", "t.licence_verified_on"),
    ("licence_expires_on", "t.licence_expires_on"),
    ("review_count", "t.review_count"),
    ("review_mean", "t.review_mean"),
    ("outcome__relief_median", "o.relief_median"),
    ("outcome__relief_patients", "o.relief_patients"),
    *((f"offers_{code}", f"t.offers_{code}") for code in MODALITIES),
    ("standard__name", "st.name"),
    ("standard__minutes", "st.minutes"),
    ("standard__price", "st.price"),
    ("standard__currency", "st.currency"),
)
_OUTCOME = TherapistProfile._meta.get_field("outcome").related_model
_PAGE_SQL = f"""
SELECT {", ".join(column for _, column in PAGE_COLUMNS)}
  FROM {table(SearchEntry)} s
  JOIN {table(TherapistProfile)} t ON t.id = s.therapist_id
  JOIN {table(User)} u ON u.id = t.user_id
  LEFT JOIN {table(Location)} l ON l.id = s.location_id
  LEFT JOIN {table(Clinic)} c ON c.id = l.clinic_id
  LEFT JOIN {table(_OUTCOME)} o ON o.therapist_id = t.id
  LEFT JOIN {table(SessionType)} st ON st.therapist_id = t.id AND st.is_standard
 WHERE s.therapist_id {{one_of_ids}}
 ORDER BY s.therapist_id, s.location_id
"""  # noqa: S608 - table names from the models; the ids go as parameters


def page_rows(ids: list[int], *, using: str = DEFAULT_DB_ALIAS) -> list[dict[str, Any]]:
    if not ids:
        return []
    names = [name for name, _ in PAGE_COLUMNS]
    test, params = Dialect.current(using).one_of(ids)
    rows = fetch_rows(_PAGE_SQL.format(one_of_ids=test), params, using=using)
    found = [dict(zip(names, row, strict=True)) for row in rows]
    for row in found:  # the two values the drivers give back as text or a number
        row["languages"] = json.loads(row["languages"])
        if row["standard__price"] is not None:
            row["standard__price"] = money(row["standard__price"])
    return found


def _results_for(
    ids: list[int],
    filters: search_query.SearchFilters,
    today: date,
    *,
    soonest: dict[int, datetime | None],
    using: str,
) -> list[SearchResult]:
    now = timezone.now()
    rows = page_rows(ids, using=using)
    profiles: dict[int, dict[str, Any]] = {}
    places: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        profiles.setdefault(row["therapist_id"], row)
        places.setdefault(row["therapist_id"], []).append(row)
    sessions = {
        pk: ListedSession(
            name=row["standard__name"],
            minutes=row["standard__minutes"],
            price=row["standard__price"],
            currency=row["standard__currency"],
        )
        for pk, row in profiles.items()
        if row["standard__minutes"] is not None
    }
    results = []
    for pk in ids:
        p = profiles[pk]
        location, distance = _nearest(places.get(pk, []), filters)
        valid_until = p["licence_expires_on"]
        verified = p["licence_verified_on"] is not None and (
            valid_until is None or valid_until >= today
        )
        modalities = frozenset(code for code in MODALITIES if p[f"offers_{code}"])
        ranked = score(
            Candidate(
                distance_km=distance,
                radius_km=filters.radius_km,
                sciatica_years=p["years_sciatica"],
                experience_years=p["years_experience"],
                licence_verified_on=p["licence_verified_on"] if verified else None,
                review_count=p["review_count"],
                review_mean=p["review_mean"],
                modalities=modalities,
                outcome_median_relief=p["outcome__relief_median"],
                outcome_patients=p["outcome__relief_patients"] or 0,
                # The term the SQL ranked by, as the search table keeps it.
                outcome_term_stored=p["outcome_term"],
                whole_km=location is None,
                next_available_days=(
                    max((free - now).total_seconds(), 0) / 86400
                    if (free := soonest.get(pk))
                    else None
                ),
            ),
            filters.fit,
        )
        if location is None:
            ranked = Ranked(
                score=ranked.score,
                reasons=(*ranked.reasons[:1], "comes to you", *ranked.reasons[1:]),
                terms=ranked.terms,
            )
        results.append(
            SearchResult(
                profile=ListedTherapist(
                    pk=pk,
                    first_name=p["user__first_name"],
                    last_name=p["user__last_name"],
                    accepting_new_patients=p["accepting_new_patients"],
                    languages=tuple(p["languages"]),
                    modalities=modalities,
                ),
                # A home visit's distance is from the base's grid point, and in whole km only.
                distance_km=distance if location is not None else float(round(distance)),
                location=location,
                ranked=ranked,
                standard_session=sessions.get(pk),
                licence_verified=verified,
                next_available=soonest.get(pk),
            )
        )
    return results


def _nearest(
    places: list[dict[str, Any]], filters: search_query.SearchFilters
) -> tuple[ListedLocation | None, float]:
    """The nearest of a therapist's search rows that the SQL would keep: location or visit."""
    lat, lon = filters.latitude, filters.longitude
    best: tuple[float, dict[str, Any] | None] = (math.inf, None)
    for place in places:
        if any(
            getattr(filters, flag) and not place[flag]
            for flag in ("step_free", "parking", "adjustable_table")
        ):
            continue
        distance = geo.great_circle_km(lat, lon, place["latitude"], place["longitude"])
        if place["reach_km"] is not None and distance > place["reach_km"]:
            continue
        if distance < best[0]:
            best = (distance, place)
    found = best[1]
    location = (
        ListedLocation(
            pk=found["location_id"],
            name=found["location__name"],
            clinic_name=found["location__clinic__name"],
            time_zone=found["location__time_zone"],
        )
        if found is not None and found["location_id"] is not None
        else None
    )
    # The SQL found a place within the radius; the same formula here agrees to well under a metre.
    return location, min(best[0], filters.radius_km)
