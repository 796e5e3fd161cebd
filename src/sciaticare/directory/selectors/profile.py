"""A therapist's public profile (the page and the API), and the lists their own pages show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from sciaticare.accounts.models import User
from sciaticare.core import kept_answers
from sciaticare.core.bounds import is_key
from sciaticare.core.errors import NotFound
from sciaticare.core.replica import late_read_alias
from sciaticare.core.sql import columns, fetch_rows, instances, money, table
from sciaticare.core.time import as_utc, parse_utc
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


def bookable(path: str = "") -> Q:
    """The one rule of who can be booked: a therapist whose account is active. `path` leads
    from another model to the profile ("therapist__"). `BOOKABLE_SQL` says it in SQL."""
    return Q(**{f"{path}user__is_active": True})


#: `bookable` in SQL, of the therapist's user row `u` (tests/directory/test_bookable.py checks
#: the two agree).
BOOKABLE_SQL = "u.is_active"

# Plain SQL: every slot list asks this first, and compiling the ORM's two joins cost several
# times what the database takes to answer (docs/benchmarks.md).
_BOOKABLE_SESSION_SQL = f"""
SELECT {columns(SessionType, "s")} FROM {table(SessionType)} s
  JOIN {table(TherapistProfile)} p ON p.id = s.therapist_id
  JOIN {table(User)} u ON u.id = p.user_id
 WHERE s.therapist_id = %s AND {BOOKABLE_SQL} AND {{which}}
"""  # noqa: S608 - table names from the models; values go as parameters


def bookable_session(*, therapist_id: int, session_type_id: int | None) -> SessionType:
    """A session type of a therapist who can be booked (their standard one unless another is
    asked for), in one query; or NotFound (the therapist's when they cannot be booked). Its
    therapist is not read with it: a slot list needs only the id."""
    if session_type_id is None:
        sql, params = _BOOKABLE_SESSION_SQL.format(which="s.is_standard"), [therapist_id]
    else:
        sql, params = (
            _BOOKABLE_SESSION_SQL.format(which="s.id = %s"),
            [therapist_id, session_type_id],
        )
    # An id no key can be is no session: the read would overflow on SQLite.
    found = all(map(is_key, params)) and instances(sql, params, (SessionType,))
    if not found:
        bookable_therapist(therapist_id=therapist_id)  # NotFound("therapist") first
        raise NotFound("session type")
    return cast(SessionType, found[0][0])


# Plain SQL too: every booking takes this lock, and the ORM's query of the two wide rows took
# longer to compile than to answer.
_BOOKABLE_THERAPIST_SQL = f"""
SELECT {columns(TherapistProfile, "p")}, {columns(User, "u")}
  FROM {table(TherapistProfile)} p
  JOIN {table(User)} u ON u.id = p.user_id
 WHERE p.id = %s AND {BOOKABLE_SQL}{{lock}}
"""  # noqa: S608 - table and column names from the models; the value goes as a parameter


def bookable_therapist(
    *, therapist_id: int, lock: bool = False, using: str = DEFAULT_DB_ALIAS
) -> TherapistProfile:
    """A therapist who can be booked (their account is active), with their user, or NotFound.

    Every app that needs a therapist to book, offer, list or show free times asks here, so a
    deactivated account is refused everywhere alike; public pages may read it from a replica
    (``using``). With ``lock`` the row is taken with SELECT ... FOR UPDATE (PostgreSQL; SQLite
    serialises writers already): the caller must be inside a transaction, and other bookings
    with this therapist wait for it to end.
    """
    if not is_key(therapist_id):
        raise NotFound("therapist")
    lock_sql = ""
    if lock:
        if connections[using].get_autocommit():  # as the ORM's select_for_update refuses
            raise TransactionManagementError("A therapist is locked inside a transaction.")
        if connections[using].features.has_select_for_update_of:
            # The profile row only: the joined user row stays free for writes that hold it.
            lock_sql = " FOR UPDATE OF p"
    sql = _BOOKABLE_THERAPIST_SQL.format(lock=lock_sql)
    found = instances(sql, [therapist_id], (TherapistProfile, User), using=using)
    if not found:
        raise NotFound("therapist")
    therapist, user = cast(tuple[TherapistProfile, User], found[0])
    TherapistProfile.user.field.set_cached_value(therapist, user)
    return therapist


def own_profile(*, user: User) -> TherapistProfile | None:
    """The signed-in therapist's own profile, if they have made one."""
    return TherapistProfile.objects.filter(user=user).select_related("user").first()


def public_profile(*, profile_id: int, today: date | None = None) -> PublicProfile:
    """A therapist's public profile, with what the page and the API show, or NotFound.

    Two statements: the profile, then its four lists in one plain SQL statement. They are the
    bulk of the load mix's traffic: the ORM spent 60 % of this read compiling the four
    prefetches (5.0 → 2.0 ms in process), and four round trips cost more than the one
    (docs/benchmarks.md); the orders are the models' own. Both may be a few seconds late:
    they read the replica when there is one (core/replica.py).
    """
    using = late_read_alias()
    therapist = bookable_therapist(therapist_id=profile_id, using=using)
    today = today or timezone.localdate()
    pk = therapist.pk
    lists: dict[int, list[list[Any]]] = {_LOCATION: [], _SESSION: [], _CREDENTIAL: [], _REVIEW: []}
    params = [pk, pk, pk, CredentialStatus.VERIFIED.value]
    params += [connections[using].ops.adapt_datefield_value(today), pk]
    for kind, _, *values in fetch_rows(_LISTS_SQL, params, using=using):
        lists[kind].append(values)
    return PublicProfile(
        therapist=therapist,
        locations=tuple(
            PublicLocation(
                name, clinic, address, lat, lon, zone, bool(step_free), bool(parking), bool(table_)
            )
            for name, clinic, address, zone, lat, lon, step_free, parking, table_, *_ in lists[
                _LOCATION
            ]
        ),
        sessions=tuple(
            PublicSession(spk, name, minutes, money(price), currency, bool(standard))
            for name, currency, *_, standard, _, _, spk, minutes, price, _, _ in lists[_SESSION]
        ),
        credentials=tuple(
            PublicCredential(kind, title, body, where, checked and _instant(checked), _day(expires))
            for kind, title, body, where, *_, checked, expires in lists[_CREDENTIAL]
        ),
        reviews=tuple(
            PublicReview(rating, text, _instant(created))
            for text, *_, rating, _, _, created, _ in lists[_REVIEW]
        ),
    )


def forget_kept(sender: type, instance: Any, **kwargs: object) -> None:
    """A therapist's profile, places, sessions, credentials or reviews changed: the public
    answers this process keeps of them are dropped (core/kept_answers.py; connected in
    directory/apps.py)."""
    kept_answers.forget(
        instance.pk if isinstance(instance, TherapistProfile) else instance.therapist_id
    )


def _instant(value: datetime | str) -> datetime:
    # Past a UNION, SQLite's driver no longer knows a column's type: its values come as text.
    return parse_utc(value) if isinstance(value, str) else as_utc(value)


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


# The four lists in one statement, each row: its list, its place in the list, four text
# columns, two numbers, three flags, two whole numbers, a price, a time and a date (each list
# fills what it has; the first part names the types, as PostgreSQL takes them from it). Table
# names are the models' own (the only text interpolated); values go as parameters.
_LOCATION, _SESSION, _CREDENTIAL, _REVIEW = 0, 1, 2, 3
_LISTS_SQL = f"""
SELECT {_LOCATION}, ROW_NUMBER() OVER (ORDER BY c.name, c.id, l.name, l.id),
       l.name, c.name, l.address, l.time_zone, l.latitude, l.longitude,
       l.step_free, l.parking, l.adjustable_table, CAST(NULL AS INTEGER),
       CAST(NULL AS INTEGER), CAST(NULL AS DECIMAL), CAST(NULL AS TIMESTAMP WITH TIME ZONE),
       CAST(NULL AS DATE)
  FROM {table(TherapistLocation)} tl
  JOIN {table(Location)} l ON l.id = tl.location_id
  JOIN {table(Clinic)} c ON c.id = l.clinic_id
 WHERE tl.therapist_id = %s
UNION ALL
SELECT {_SESSION}, ROW_NUMBER() OVER (ORDER BY is_standard DESC, minutes, id),
       name, currency, NULL, NULL, NULL, NULL,
       is_standard, NULL, NULL, id, minutes, price, NULL, NULL
  FROM {table(SessionType)} WHERE therapist_id = %s
UNION ALL
SELECT {_CREDENTIAL}, ROW_NUMBER() OVER (ORDER BY created_at DESC, id DESC),
       kind, title, issuing_body, jurisdiction, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, checked_at, expires_on
  FROM {table(Credential)}
 WHERE therapist_id = %s AND status = %s AND (expires_on IS NULL OR expires_on >= %s)
UNION ALL
SELECT {_REVIEW}, ROW_NUMBER() OVER (ORDER BY created_at DESC, id DESC),
       text, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, rating, NULL, NULL, created_at, NULL
  FROM {table(Review)} WHERE therapist_id = %s AND hidden_at IS NULL
 ORDER BY 1, 2
"""  # noqa: S608


def locations_for(*, profile: TherapistProfile) -> QuerySet[Location]:
    """The locations a therapist may work at: those of their clinics."""
    return Location.objects.filter(clinic__therapists=profile).select_related("clinic").distinct()


def credentials_of(*, profile: TherapistProfile) -> QuerySet[Credential]:
    return Credential.objects.filter(therapist=profile).select_related("checked_by")
