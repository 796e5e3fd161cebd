"""A therapist's public profile (the page and the API), and the lists their own pages show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.core.errors import NotFound
from sciaticare.core.replica import late_read_alias
from sciaticare.core.sql import fetch_rows, money, table
from sciaticare.core.time import as_utc
from sciaticare.directory.models import (
    Clinic,
    Credential,
    CredentialStatus,
    Location,
    Review,
    SessionType,
    TherapistLocation,
    TherapistProfile,
)

# The four lists are plain SQL: they are most of the traffic, and the ORM spent longer
# compiling them than the database took to answer (docs/benchmarks.md).


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


def bookable_therapist(*, therapist_id: int, lock: bool = False) -> TherapistProfile:
    """A therapist who can be booked (their account is active), with their user, or NotFound.

    Every app that needs a therapist to book, offer or show free times asks here, so a
    deactivated account is refused everywhere alike. With ``lock`` the row is taken with
    SELECT ... FOR UPDATE (PostgreSQL; SQLite serialises writers already): the caller must be
    inside a transaction, and other bookings with this therapist wait for it to end.
    """
    found = TherapistProfile.objects.select_related("user").filter(
        pk=therapist_id, user__is_active=True
    )
    if lock:
        # The profile row only: the joined user row stays free for writes that hold it.
        found = found.select_for_update(of=("self",))
    therapist = found.first()
    if therapist is None:
        raise NotFound("therapist")
    return therapist


def own_profile(*, user: User) -> TherapistProfile | None:
    """The signed-in therapist's own profile, if they have made one."""
    return TherapistProfile.objects.filter(user=user).select_related("user").first()


def listed_therapist(*, profile_id: int, using: str = DEFAULT_DB_ALIAS) -> TherapistProfile:
    """A therapist whose account is active, with their user, or NotFound."""
    profile = (
        TherapistProfile.objects.using(using)
        .filter(pk=profile_id, user__is_active=True)
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
    (5.0 → 2.0 ms in process, docs/benchmarks.md); the orders are the models' own. All five
    may be a few seconds late: they read the replica when there is one (core/replica.py).
    """
    using = late_read_alias()
    therapist = listed_therapist(profile_id=profile_id, using=using)
    today = today or timezone.localdate()
    pk = therapist.pk
    on_date = connections[using].ops.adapt_datefield_value(today)
    return PublicProfile(
        therapist=therapist,
        locations=tuple(
            PublicLocation(*row) for row in fetch_rows(_LOCATIONS_SQL, [pk], using=using)
        ),
        sessions=tuple(
            PublicSession(spk, name, minutes, money(price), currency, standard)
            for spk, name, minutes, price, currency, standard in fetch_rows(
                _SESSIONS_SQL, [pk], using=using
            )
        ),
        credentials=tuple(
            PublicCredential(kind, title, body, where, checked and as_utc(checked), expires)
            for kind, title, body, where, checked, expires in fetch_rows(
                _CREDENTIALS_SQL, [pk, CredentialStatus.VERIFIED.value, on_date], using=using
            )
        ),
        reviews=tuple(
            PublicReview(rating, text, as_utc(created))
            for rating, text, created in fetch_rows(_REVIEWS_SQL, [pk], using=using)
        ),
    )


# Table names are the models' own (the only text interpolated); values go as parameters.
_LOCATIONS_SQL = f"""
SELECT l.name, c.name, l.address, l.latitude, l.longitude, l.time_zone,
       l.step_free, l.parking, l.adjustable_table
  FROM {table(TherapistLocation)} tl
  JOIN {table(Location)} l ON l.id = tl.location_id
  JOIN {table(Clinic)} c ON c.id = l.clinic_id
 WHERE tl.therapist_id = %s
 ORDER BY c.name, c.id, l.name, l.id
"""  # noqa: S608
_SESSIONS_SQL = f"""
SELECT id, name, minutes, price, currency, is_standard FROM {table(SessionType)}
 WHERE therapist_id = %s ORDER BY is_standard DESC, minutes, id
"""  # noqa: S608
_CREDENTIALS_SQL = f"""
SELECT kind, title, issuing_body, jurisdiction, checked_at, expires_on FROM {table(Credential)}
 WHERE therapist_id = %s AND status = %s AND (expires_on IS NULL OR expires_on >= %s)
 ORDER BY created_at DESC, id DESC
"""  # noqa: S608
_REVIEWS_SQL = f"""
SELECT rating, text, created_at FROM {table(Review)}
 WHERE therapist_id = %s AND hidden_at IS NULL ORDER BY created_at DESC, id DESC
"""  # noqa: S608


def locations_for(*, profile: TherapistProfile) -> QuerySet[Location]:
    """The locations a therapist may work at: those of their clinics."""
    return Location.objects.filter(clinic__therapists=profile).select_related("clinic").distinct()


def credentials_of(*, profile: TherapistProfile) -> QuerySet[Credential]:
    return Credential.objects.filter(therapist=profile).select_related("checked_by")
