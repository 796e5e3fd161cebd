"""The directory's part of the JSON API: public therapist search and public profiles.

Both are open to anyone (``auth=None``): they show only what a therapist's public page shows.
"""

from __future__ import annotations

import enum
from datetime import date

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from sciaticare.core import kept_answers
from sciaticare.core.bounds import MAX_PAGE, ApiId
from sciaticare.core.schemas import Body, OffsetDatetime, Problem
from sciaticare.directory.fit import fit_for
from sciaticare.directory.ranking import MODALITIES
from sciaticare.directory.search_query import COUNT_LIMIT
from sciaticare.directory.selectors.profile import public_profile
from sciaticare.directory.selectors.search import (
    DEFAULT_RADIUS_KM,
    MAX_PAGE_SIZE,
    MAX_RADIUS_KM,
    search_therapists,
)

router = Router(tags=["directory"])
JSON = "application/json; charset=utf-8"

#: The modality codes of ``ranking.MODALITIES``, so that an unknown one is a 422 naming it.
ModalityCode = enum.StrEnum("ModalityCode", [(code, code) for code in MODALITIES])  # type: ignore[misc]


class TherapistSearchIn(Schema):
    lat: float = Field(
        ..., ge=-90, le=90, allow_inf_nan=False, description="Latitude of the point to search near."
    )
    lon: float = Field(
        ..., ge=-180, le=180, allow_inf_nan=False, description="Longitude of the point."
    )
    radius_km: float = Field(
        DEFAULT_RADIUS_KM, gt=0, le=MAX_RADIUS_KM, allow_inf_nan=False, description="At most 500."
    )
    modality: ModalityCode | None = Field(None, description="One modality the therapist offers.")
    language: str | None = Field(
        None, min_length=2, max_length=2, description="ISO 639-1 code, e.g. es."
    )
    max_price: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        description="Highest price of the therapist's standard session.",
    )
    available_within_days: int | None = Field(
        None,
        ge=0,
        le=365,
        description=(
            "Only therapists with a free standard session within this many days (looked up "
            "among the 500 best-ranked matches)."
        ),
    )
    step_free: bool = False
    parking: bool = False
    adjustable_table: bool = False
    accepting_new: bool = False
    include_unverified: bool = Field(
        False, description="Also list therapists whose licence is not verified (labelled)."
    )
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class TherapistHitOut(Body):
    id: int
    name: str
    distance_km: float = Field(
        description=(
            "Great-circle distance, rounded to 0.1 km; for a home visit, to whole km from a "
            "point within about 1 km of the therapist's base (which stays private)."
        )
    )
    next_available: OffsetDatetime | None = Field(
        description="First free standard session in the next 14 days, ISO 8601 with offset; null when none."
    )
    match_score: float = Field(description="0 to 1; see docs/architecture.md, Directory.")
    match_reasons: list[str]
    licence_verified: bool
    home_visit: bool = Field(description="True when the nearest way to see them is a home visit.")
    location_name: str | None
    accepting_new_patients: bool
    modalities: list[str]
    languages: list[str]
    standard_price: str | None = Field(description="Price of the standard session, e.g. '55.00'.")
    currency: str | None
    standard_minutes: int | None


class TherapistSearchOut(Body):
    items: list[TherapistHitOut]
    count: int = Field(
        description=(
            "Therapists matched; when count_exact is false there are more, and count is the "
            f"number the pages go up to ({COUNT_LIMIT:,})."
        )
    )
    count_exact: bool = Field(
        description=(
            "False when a search matches more therapists than it counts (near a crowded city "
            "centre): counting them all would read every match."
        ),
    )
    page: int
    page_size: int


class LocationOut(Body):
    name: str
    clinic: str
    address: str
    latitude: float
    longitude: float
    time_zone: str
    step_free: bool
    parking: bool
    adjustable_table: bool


class SessionTypeOut(Body):
    id: int
    name: str
    minutes: int
    price: str
    currency: str
    is_standard: bool


class CredentialOut(Body):
    kind: str
    title: str
    issuing_body: str
    jurisdiction: str
    verified_on: date | None
    expires_on: date | None


class ReviewOut(Body):
    rating: int
    text: str
    created_on: date


class TherapistProfileOut(Body):
    id: int
    name: str
    bio: str
    modalities: list[str]
    years_experience: int
    years_sciatica: int
    languages: list[str]
    accepting_new_patients: bool
    licence_verified: bool
    home_visits: bool
    service_radius_km: int | None
    locations: list[LocationOut]
    session_types: list[SessionTypeOut]
    verified_credentials: list[CredentialOut]
    review_count: int
    review_mean: float | None
    reviews: list[ReviewOut]


@router.get(
    "/therapists",
    response=TherapistSearchOut,
    auth=None,
    summary="Search therapists near a point",
    description=(
        "Ranked by match (distance, sciatica experience, verified licence, reviews shrunk "
        "towards the mean), each with its reasons in plain words. Only therapists with a "
        "verified licence in force, unless `include_unverified`. Stable order; paginated."
    ),
)
def search(request: HttpRequest, filters: Query[TherapistSearchIn]) -> HttpResponse:
    # Written by pydantic's own serializer, as the profile is: ninja checked the answer just
    # built against the same schema again and wrote it through json.dumps (0.15 ms of a
    # search, docs/benchmarks.md). The schema above still documents it.
    page = search_therapists(
        lat=filters.lat,
        lon=filters.lon,
        radius_km=filters.radius_km,
        modality=filters.modality.value if filters.modality else None,
        language=filters.language,
        max_price=filters.max_price,
        step_free=filters.step_free,
        parking=filters.parking,
        adjustable_table=filters.adjustable_table,
        accepting_new=filters.accepting_new,
        include_unverified=filters.include_unverified,
        available_within_days=filters.available_within_days,
        fit=fit_for(request.user),
        page=filters.page,
        page_size=filters.page_size,
    )
    items = []
    for result in page.results:
        profile, session = result.profile, result.standard_session
        items.append(
            TherapistHitOut(
                id=profile.pk,
                name=profile.name,
                distance_km=round(result.distance_km, 1),
                next_available=result.next_available,
                match_score=result.match_score,
                match_reasons=list(result.ranked.reasons),
                licence_verified=result.licence_verified,
                home_visit=result.location is None,
                location_name=result.location.name if result.location else None,
                accepting_new_patients=profile.accepting_new_patients,
                modalities=sorted(profile.modalities),
                languages=list(profile.languages),
                standard_price=str(session.price) if session else None,
                currency=session.currency if session else None,
                standard_minutes=session.minutes if session else None,
            )
        )
    found = TherapistSearchOut(
        items=items,
        count=page.count,
        count_exact=page.count_exact,
        page=page.page,
        page_size=page.page_size,
    )
    return HttpResponse(found.model_dump_json(), content_type=JSON)


@router.get(
    "/therapists/{therapist_id}",
    response={200: TherapistProfileOut, 404: Problem},
    auth=None,
    summary="A therapist's public profile",
)
def profile(request: HttpRequest, therapist_id: ApiId) -> HttpResponse:
    return kept_answers.answer(
        request,
        what="profile",
        therapist_id=therapist_id,
        asked={},
        seconds=settings.PUBLIC_PROFILE_SECONDS,
        compute=lambda: HttpResponse(_profile(therapist_id).model_dump_json(), content_type=JSON),
    )


def _profile(therapist_id: int) -> TherapistProfileOut:
    public = public_profile(profile_id=therapist_id)  # NotFound → 404
    found = public.therapist
    zone = timezone.get_current_timezone()  # once: each lookup goes through a context-local
    today = timezone.localdate(timezone=zone)
    return TherapistProfileOut(
        id=found.pk,
        name=found.name,
        bio=found.bio,
        modalities=sorted(found.modalities),
        years_experience=found.years_experience,
        years_sciatica=found.years_sciatica,
        languages=list(found.languages),
        accepting_new_patients=found.accepting_new_patients,
        licence_verified=found.licence_valid_on(today),
        home_visits=found.is_mobile,
        service_radius_km=found.service_radius_km if found.is_mobile else None,
        locations=[
            LocationOut(
                name=location.name,
                clinic=location.clinic_name,
                address=location.address,
                latitude=location.latitude,
                longitude=location.longitude,
                time_zone=location.time_zone,
                step_free=location.step_free,
                parking=location.parking,
                adjustable_table=location.adjustable_table,
            )
            for location in public.locations
        ],
        session_types=[
            SessionTypeOut(
                id=session.pk,
                name=session.name,
                minutes=session.minutes,
                price=str(session.price),
                currency=session.currency,
                is_standard=session.is_standard,
            )
            for session in public.sessions
        ],
        verified_credentials=[
            CredentialOut(
                kind=credential.kind,
                title=credential.title,
                issuing_body=credential.issuing_body,
                jurisdiction=credential.jurisdiction,
                verified_on=credential.checked_at.astimezone(zone).date()
                if credential.checked_at
                else None,
                expires_on=credential.expires_on,
            )
            for credential in public.credentials
        ],
        review_count=found.review_count,
        review_mean=round(found.review_mean, 2) if found.review_mean is not None else None,
        reviews=[
            ReviewOut(
                rating=review.rating,
                text=review.text,
                created_on=review.created_at.astimezone(zone).date(),
            )
            for review in public.reviews
        ],
    )
