"""Reads of the directory that views and the API share.

Functions that fetch one object for a person (``profile_for_edit``, ``credential_for``…) check
access too, and answer :class:`NotFound` alike when the object is missing or not theirs to see.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from sciaticare.accounts.models import Role, User
from sciaticare.audit.services import record_event
from sciaticare.directory import geo, search_query
from sciaticare.directory.models import (
    Clinic,
    Credential,
    CredentialKind,
    CredentialStatus,
    FlareUpPlanEntry,
    Location,
    Review,
    SearchEntry,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)
from sciaticare.directory.ranking import MODALITIES, Candidate, PatientFit, Ranked, score
from sciaticare.errors import Invalid, NotFound
from sciaticare.scheduling.selectors import next_available

MAX_RADIUS_KM = 500.0
DEFAULT_RADIUS_KM = 25.0
MAX_PAGE_SIZE = 50


# --- Plain SQL ------------------------------------------------------------------------------
# The hottest reads (a search page, a public profile) are written out: the ORM took longer to
# compile them than the database took to answer (docs/benchmarks.md).


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _plain(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# What the drivers give back, made what the ORM would give: SQLite hands UTC instants over
# naive and decimals as numbers (Django's SQLite connection already turns dates and booleans).
def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_CENTS = Decimal("0.01")


def _money(value: Decimal | float | str) -> Decimal:
    return Decimal(str(value)).quantize(_CENTS)


# --- Search ---------------------------------------------------------------------------------


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
        return f"{self.first_name} {self.last_name}".strip() or "Therapist"

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
    """A page of results, best first, and where it sits in the whole result."""

    results: list[SearchResult]
    count: int
    page: int
    page_size: int

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
        errors.append(("lat", "Latitude must be between -90 and 90."))
    if not (-180.0 <= lon <= 180.0):
        errors.append(("lon", "Longitude must be between -180 and 180."))
    if not (0.0 < radius_km <= MAX_RADIUS_KM):
        errors.append(
            ("radius_km", f"The radius must be more than 0 and at most {MAX_RADIUS_KM:g} km.")
        )
    if modality is not None and modality not in MODALITIES:
        errors.append(("modality", f"Unknown modality; use one of {', '.join(MODALITIES)}."))
    if page < 1:
        errors.append(("page", "Pages start at 1."))
    if not (1 <= page_size <= MAX_PAGE_SIZE):
        errors.append(("page_size", f"A page holds 1 to {MAX_PAGE_SIZE} results."))
    if errors:
        raise Invalid("invalid_search", "The search has invalid fields.", errors)


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

    A fixed number of queries whatever the number of results: the ranked page
    (``search_query``, one statement on the search table), the page read as plain values in
    one query (profiles, users' names, places, locations, standard sessions), and the page's
    first free slots (scheduling's ``next_available``). With ``available_within_days`` the filter looks at the
    ``AVAILABILITY_CANDIDATES`` best-ranked matches (a bound on the work a search may do).
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
    if available_within_days is not None:
        return _available_page(
            filters, today, available_within_days, page=page, page_size=page_size
        )
    # The first pages are re-ranked with each therapist's next free session (soonness), which
    # SQL cannot know; later pages keep the SQL order.
    reranked = offset + page_size <= RERANK_WINDOW
    wanted = RERANK_WINDOW if reranked else offset + page_size
    ranked, count = search_query.ranked_therapists(filters, today=today, count=wanted)
    ids = [pk for pk, _, _ in (ranked if reranked else ranked[offset:])]
    soonest = next_available(ids)
    results = _results_for(ids, filters, today, soonest=soonest)
    if reranked:
        results.sort(key=lambda r: (-r.ranked.score, r.distance_km, r.profile.pk))
        results = results[offset : offset + page_size]
    return SearchPage(results=results, count=count, page=page, page_size=page_size)


#: How many of the best SQL-ranked matches get their next free session into the score: the
#: first page. Each therapist's lookup reads two weeks of their calendar (about 0.6 ms), so a
#: wider window costs every search (docs/benchmarks.md).
RERANK_WINDOW = 20
AVAILABILITY_CANDIDATES = 500


def _available_page(
    filters: search_query.SearchFilters, today: date, days: int, *, page: int, page_size: int
) -> SearchPage:
    """Ranked matches with a free standard session within `days`, one page of them."""
    ranked, _ = search_query.ranked_therapists(filters, today=today, count=AVAILABILITY_CANDIDATES)
    ranked_ids = [pk for pk, _, _ in ranked]
    soonest = next_available(ranked_ids, within=timedelta(days=days))
    free = [pk for pk in ranked_ids if soonest.get(pk) is not None]
    offset = (page - 1) * page_size
    results = _results_for(free[offset : offset + page_size], filters, today, soonest=soonest)
    return SearchPage(
        results=results,
        count=len(free),
        page=page,
        page_size=page_size,
    )


# The page read: each of the page's places with its therapist's figures, name, location and
# standard session, in one statement of plain values. Each value's name, and its column.
_PAGE = (
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
SELECT {", ".join(column for _, column in _PAGE)}
  FROM {_table(SearchEntry)} s
  JOIN {_table(TherapistProfile)} t ON t.id = s.therapist_id
  JOIN {_table(User)} u ON u.id = t.user_id
  LEFT JOIN {_table(Location)} l ON l.id = s.location_id
  LEFT JOIN {_table(Clinic)} c ON c.id = l.clinic_id
  LEFT JOIN {_table(_OUTCOME)} o ON o.therapist_id = t.id
  LEFT JOIN {_table(SessionType)} st ON st.therapist_id = t.id AND st.is_standard
 WHERE s.therapist_id IN ({{ids}})
 ORDER BY s.therapist_id, s.location_id
"""  # noqa: S608 - table names from the models; the ids go as parameters


def _page_rows(ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    names = [name for name, _ in _PAGE]
    rows = _plain(_PAGE_SQL.format(ids=", ".join(["%s"] * len(ids))), list(ids))
    found = [dict(zip(names, row, strict=True)) for row in rows]
    for row in found:  # the two values the drivers give back as text or a number
        row["languages"] = json.loads(row["languages"])
        if row["standard__price"] is not None:
            row["standard__price"] = _money(row["standard__price"])
    return found


def _results_for(
    ids: list[int],
    filters: search_query.SearchFilters,
    today: date,
    *,
    soonest: dict[int, datetime | None],
) -> list[SearchResult]:
    now = timezone.now()
    rows = _page_rows(ids)
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


# --- Profiles -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicLocation:
    name: str
    clinic_name: str
    address: str
    latitude: float
    longitude: float
    time_zone: str
    step_free: bool
    parking: bool
    adjustable_table: bool


@dataclass(frozen=True, slots=True)
class PublicSession:
    pk: int
    name: str
    minutes: int
    price: Decimal
    currency: str
    is_standard: bool


@dataclass(frozen=True, slots=True)
class PublicCredential:
    kind: str
    title: str
    issuing_body: str
    jurisdiction: str
    checked_at: datetime | None
    expires_on: date | None


@dataclass(frozen=True, slots=True)
class PublicReview:
    rating: int
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PublicProfile:
    """What anyone may see of a therapist: the profile, and its lists as plain values."""

    therapist: TherapistProfile
    locations: tuple[PublicLocation, ...]  # by clinic, then name
    sessions: tuple[PublicSession, ...]  # the standard one first, then by length
    credentials: tuple[PublicCredential, ...]  # verified and in force, newest first
    reviews: tuple[PublicReview, ...]  # not hidden, newest first


def listed_therapist(*, profile_id: int) -> TherapistProfile:
    """A therapist whose account is active, with their user, or NotFound."""
    profile = (
        TherapistProfile.objects.filter(pk=profile_id, user__is_active=True)
        .select_related("user")
        .first()
    )
    if profile is None:
        raise NotFound("therapist")
    return profile


def public_profile(*, profile_id: int, today: date | None = None) -> PublicProfile:
    """A therapist's public profile, with what the page and the API show, or NotFound.

    Five statements: the profile, then its four lists in plain SQL. They are the bulk of the
    load mix's traffic, and the ORM spent 60 % of this read compiling the four prefetches
    (5.0 → 2.0 ms in process, docs/benchmarks.md); the orders are the models' own.
    """
    therapist = listed_therapist(profile_id=profile_id)
    today = today or timezone.localdate()
    pk = therapist.pk
    return PublicProfile(
        therapist=therapist,
        locations=tuple(PublicLocation(*row) for row in _plain(_LOCATIONS_SQL, [pk])),
        sessions=tuple(
            PublicSession(spk, name, minutes, _money(price), currency, standard)
            for spk, name, minutes, price, currency, standard in _plain(_SESSIONS_SQL, [pk])
        ),
        credentials=tuple(
            PublicCredential(kind, title, body, where, checked and _utc(checked), expires)
            for kind, title, body, where, checked, expires in _plain(
                _CREDENTIALS_SQL,
                [pk, CredentialStatus.VERIFIED.value, connection.ops.adapt_datefield_value(today)],
            )
        ),
        reviews=tuple(
            PublicReview(rating, text, _utc(created))
            for rating, text, created in _plain(_REVIEWS_SQL, [pk])
        ),
    )


# Table names are the models' own (the only text interpolated); values go as parameters.
_LOCATIONS_SQL = f"""
SELECT l.name, c.name, l.address, l.latitude, l.longitude, l.time_zone,
       l.step_free, l.parking, l.adjustable_table
  FROM {_table(TherapistLocation)} tl
  JOIN {_table(Location)} l ON l.id = tl.location_id
  JOIN {_table(Clinic)} c ON c.id = l.clinic_id
 WHERE tl.therapist_id = %s
 ORDER BY c.name, c.id, l.name, l.id
"""  # noqa: S608
_SESSIONS_SQL = f"""
SELECT id, name, minutes, price, currency, is_standard FROM {_table(SessionType)}
 WHERE therapist_id = %s ORDER BY is_standard DESC, minutes, id
"""  # noqa: S608
_CREDENTIALS_SQL = f"""
SELECT kind, title, issuing_body, jurisdiction, checked_at, expires_on FROM {_table(Credential)}
 WHERE therapist_id = %s AND status = %s AND (expires_on IS NULL OR expires_on >= %s)
 ORDER BY created_at DESC, id DESC
"""  # noqa: S608
_REVIEWS_SQL = f"""
SELECT rating, text, created_at FROM {_table(Review)}
 WHERE therapist_id = %s AND hidden_at IS NULL ORDER BY created_at DESC, id DESC
"""  # noqa: S608


def administers(user: User, profile: TherapistProfile) -> bool:
    """Whether the user is a clinic admin of one of the therapist's clinics, or a site admin."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.SITE_ADMIN):
        return True
    if not user.has_role(Role.CLINIC_ADMIN):
        return False
    return profile.clinics.filter(admins=user).exists()


def own_profile(*, user: User) -> TherapistProfile | None:
    """The signed-in therapist's own profile, if they have made one."""
    return TherapistProfile.objects.filter(user=user).select_related("user").first()


def profile_for_edit(*, user: User, profile_id: int) -> TherapistProfile:
    """A profile the user may edit (their own, or their clinic's), else NotFound."""
    profile = TherapistProfile.objects.filter(pk=profile_id).select_related("user").first()
    if profile is None or not (profile.user_id == user.pk or administers(user, profile)):
        raise NotFound("therapist profile")
    return profile


def locations_for(*, profile: TherapistProfile) -> QuerySet[Location]:
    """The locations a therapist may work at: those of their clinics."""
    return Location.objects.filter(clinic__therapists=profile).select_related("clinic").distinct()


def credentials_of(*, profile: TherapistProfile) -> QuerySet[Credential]:
    return Credential.objects.filter(therapist=profile).select_related("checked_by")


def credential_for(*, user: User, credential_id: int) -> Credential:
    """A credential the user may see: the therapist's own, or as an admin of their clinic."""
    credential = (
        Credential.objects.filter(pk=credential_id)
        .select_related("therapist__user", "checked_by")
        .first()
    )
    if credential is None or not (
        credential.therapist.user_id == user.pk or administers(user, credential.therapist)
    ):
        raise NotFound("credential")
    return credential


def credential_to_check(*, user: User, credential_id: int) -> Credential:
    """A credential the user may verify or reject: as an admin, never their own."""
    credential = credential_for(user=user, credential_id=credential_id)
    if credential.therapist.user_id == user.pk or not administers(user, credential.therapist):
        raise NotFound("credential")
    return credential


# --- Clinic admin ---------------------------------------------------------------------------


def clinics_administered(*, user: User) -> QuerySet[Clinic]:
    """The clinics the user runs (every clinic for a site admin)."""
    if user.has_role(Role.SITE_ADMIN):
        return Clinic.objects.all()
    if not user.has_role(Role.CLINIC_ADMIN):
        return Clinic.objects.none()
    return Clinic.objects.filter(admins=user)


def staff_clinic_ids(*, user: User) -> set[int]:
    """The clinics a therapist or clinic admin works for: those they run, those on their
    therapist profile and those of their practice locations (never every clinic, even for a
    site admin: this answers "whose content is theirs to see")."""
    ids = set(Clinic.objects.filter(admins=user).values_list("id", flat=True))
    ids |= set(Clinic.objects.filter(therapists__user=user).values_list("id", flat=True))
    ids |= set(Location.objects.filter(therapists__user=user).values_list("clinic_id", flat=True))
    return ids


def _administered_profiles(user: User) -> Q:
    if user.has_role(Role.SITE_ADMIN):
        return Q()
    return Q(therapist__clinics__admins=user)


def credentials_to_check(*, user: User) -> QuerySet[Credential]:
    """Pending credentials of the therapists the user administers, oldest first."""
    if not (user.has_role(Role.SITE_ADMIN) or user.has_role(Role.CLINIC_ADMIN)):
        return Credential.objects.none()
    return (
        Credential.objects.filter(_administered_profiles(user), status=CredentialStatus.PENDING)
        .exclude(therapist__user=user)
        .select_related("therapist__user")
        .distinct()
        .order_by("created_at", "id")
    )


def reviews_to_moderate(*, user: User, limit: int = 50) -> QuerySet[Review]:
    """Recent visible reviews of the therapists the user administers, newest first."""
    if not (user.has_role(Role.SITE_ADMIN) or user.has_role(Role.CLINIC_ADMIN)):
        return Review.objects.none()
    return (
        Review.objects.filter(_administered_profiles(user), hidden_at__isnull=True)
        .select_related("therapist__user")
        .distinct()
        .order_by("-created_at", "-id")[:limit]
    )


def therapists_administered(*, user: User) -> QuerySet[TherapistProfile]:
    if user.has_role(Role.SITE_ADMIN):
        return TherapistProfile.objects.none()  # a site admin uses the Django admin for the list
    return (
        TherapistProfile.objects.filter(clinics__admins=user)
        .select_related("user")
        .distinct()
        .order_by("user__last_name", "user__first_name", "id")
    )


def review_to_hide(*, user: User, review_id: int) -> Review:
    """A visible review the user may hide (as an admin of the therapist's clinic), or NotFound."""
    review = (
        Review.objects.filter(pk=review_id, hidden_at__isnull=True)
        .select_related("therapist__user")
        .first()
    )
    if review is None or not administers(user, review.therapist):
        raise NotFound("review")
    return review


# --- Flare-up plan --------------------------------------------------------------------------


def flare_up_plan(
    *, viewer: User, patient: User, with_prices: bool = True
) -> list[FlareUpPlanEntry]:
    """A patient's plan, preferred first. Anyone but the patient reading it is audited.

    Only the patient and site admins may read a plan; for anyone else it does not exist.
    ``with_prices=False`` skips each therapist's standard sessions (``standard_sessions``),
    which the dashboard's card does not show: one query fewer (issue 7).
    """
    if viewer.pk != patient.pk:
        if not viewer.has_role(Role.SITE_ADMIN):
            raise NotFound("flare-up plan")
        record_event(actor=viewer, action="directory.flare_up_plan.view", patient=patient)
    entries = FlareUpPlanEntry.objects.filter(patient=patient).select_related("therapist__user")
    if with_prices:
        entries = entries.prefetch_related(
            Prefetch(
                "therapist__session_types",
                queryset=SessionType.objects.filter(is_standard=True),
                to_attr="standard_sessions",
            )
        )
    return list(entries.order_by("rank"))


def plan_therapist_ids(*, patient: User) -> set[int]:
    if not patient.is_authenticated:
        return set()
    return set(
        FlareUpPlanEntry.objects.filter(patient=patient).values_list("therapist_id", flat=True)
    )


def licence_kinds() -> list[tuple[str, str]]:
    return list(CredentialKind.choices)
