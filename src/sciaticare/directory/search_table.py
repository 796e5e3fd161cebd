"""Keeping the search table (:class:`models.SearchEntry`) equal to what it is derived from.

A therapist's rows follow from their profile (modalities, languages, accepting new patients,
mobility and base, licence summary, review figures), their user's ``is_active``, the
locations they work at (coordinates and access) and their standard session's price. Whatever
changes one of those calls :func:`refresh` for that therapist inside the same transaction:
the directory services, the Django admin, and a user's ``is_active`` change
(:func:`user_saved`, connected in ``apps.py``). A bulk load calls :func:`rebuild` instead
(demo seeding, the benchmark, ``manage.py rebuild_search_table``).

Rows are rewritten, never patched: :func:`expected_entries` says what they should be from the
source rows, so a refresh, a rebuild and the sync tests all share one definition.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import connection, transaction

from sciaticare.core import kept_answers
from sciaticare.directory import geo, search_query
from sciaticare.directory.models import (
    NO_EXPIRY,
    SearchEntry,
    SessionType,
    TherapistLocation,
    TherapistProfile,
    modality_bits,
)
from sciaticare.directory.outcome_figures import outcome_figures
from sciaticare.directory.ranking import (
    DEFAULT_WEIGHTS,
    MODALITIES,
    outcome_term,
    therapist_part,
)

_BATCH = 5000
_COPY_BATCH = 20_000
_PROFILE_FIELDS = (
    "id",
    "languages",
    "accepting_new_patients",
    "is_mobile",
    "service_radius_km",
    "base_latitude",
    "base_longitude",
    "licence_verified_on",
    "licence_expires_on",
    "years_experience",
    "years_sciatica",
    "review_count",
    "review_mean",
    *(f"offers_{code}" for code in MODALITIES),
)


def _licence_valid_until(verified_on: date | None, expires_on: date | None) -> date | None:
    if verified_on is None:
        return None
    return expires_on or NO_EXPIRY


def _outcome_terms(profile_ids: Collection[int] | None) -> tuple[dict[int, float], float]:
    """Each therapist's outcome term in [0, 1] (by profile id), and the term of everyone else.

    From the stored daily figures (outcomes' ``TherapistOutcome``): median relief shrunk towards
    the overall mean (``ranking.outcome_term``). The daily refresh of those figures rebuilds this
    table, since the overall mean moves everyone's term.
    """
    found = outcome_figures(profile_ids)
    prior = found.overall_relief
    terms = {
        pk: outcome_term(median, patients, DEFAULT_WEIGHTS, prior_relief=prior)
        for pk, (median, patients) in found.by_therapist.items()
    }
    return terms, outcome_term(None, 0, DEFAULT_WEIGHTS, prior_relief=prior)


def expected_entries(profile_ids: Collection[int] | None = None) -> Iterator[SearchEntry]:
    """The rows the table should hold for these therapists (all of them for None), unsaved."""
    for values in _expected_values(profile_ids):
        yield SearchEntry(**values)


def _expected_values(profile_ids: Collection[int] | None) -> Iterator[dict[str, Any]]:
    """:func:`expected_entries` as each row's column values by attribute name (every column
    but the id)."""
    profiles = TherapistProfile.objects.filter(user__is_active=True)
    places = TherapistLocation.objects.filter(therapist__user__is_active=True)
    standard = SessionType.objects.filter(is_standard=True)
    if profile_ids is not None:
        profiles = profiles.filter(pk__in=profile_ids)
        places = places.filter(therapist_id__in=profile_ids)
        standard = standard.filter(therapist_id__in=profile_ids)
    prices: dict[int, Decimal] = dict(standard.values_list("therapist_id", "price"))
    located: dict[int, list[tuple[Any, ...]]] = {}
    for row in (
        places.values_list(
            "therapist_id",
            "location_id",
            "location__latitude",
            "location__longitude",
            "location__step_free",
            "location__parking",
            "location__adjustable_table",
        )
        .order_by("therapist_id", "location_id")
        .iterator(chunk_size=_BATCH)
    ):
        located.setdefault(row[0], []).append(row[1:])
    outcomes, outcome_prior = _outcome_terms(profile_ids)

    for p in profiles.values(*_PROFILE_FIELDS).order_by("id").iterator(chunk_size=_BATCH):
        pk = p["id"]
        common = {
            "therapist_id": pk,
            "modalities": modality_bits(code for code in MODALITIES if p[f"offers_{code}"]),
            "languages": "," + "".join(f"{code}," for code in p["languages"]),
            "standard_price": prices.get(pk),
            "accepting_new": p["accepting_new_patients"],
            "licence_valid_until": _licence_valid_until(
                p["licence_verified_on"], p["licence_expires_on"]
            ),
            "therapist_score": therapist_part(
                sciatica_years=p["years_sciatica"],
                experience_years=p["years_experience"],
                review_count=p["review_count"],
                review_mean=p["review_mean"],
            ),
            "outcome_term": outcomes.get(pk, outcome_prior),
        }
        for location_id, lat, lon, step_free, parking, table in located.get(pk, ()):
            yield {
                "location_id": location_id,
                "latitude": lat,
                "longitude": lon,
                "latitude_band": geo.latitude_band(lat),
                "reach_km": None,
                "step_free": step_free,
                "parking": parking,
                "adjustable_table": table,
                **common,
            }
        if p["is_mobile"] and p["base_latitude"] is not None and p["base_longitude"] is not None:
            # Listed on a coarse grid, not at the private base (often a home): docs/privacy.md.
            base_lat, base_lon = geo.snap_to_grid(p["base_latitude"], p["base_longitude"])
            yield {
                "location_id": None,
                "latitude": base_lat,
                "longitude": base_lon,
                "latitude_band": geo.latitude_band(base_lat),
                "reach_km": float(p["service_radius_km"]),
                "step_free": True,
                "parking": True,
                "adjustable_table": False,
                **common,
            }


def refresh(*, profile_ids: Collection[int]) -> None:
    """Rewrite these therapists' rows from their source rows.

    Caller: inside the transaction that changed an input, after the change (so a rollback
    takes the refresh with it).
    """
    ids = sorted(set(profile_ids))
    if not ids:
        return
    with transaction.atomic():
        SearchEntry.objects.filter(therapist_id__in=ids).delete()
        SearchEntry.objects.bulk_create(expected_entries(ids), batch_size=_BATCH)
    search_query.forget_places()
    # Every write that changes what a therapist's public profile shows refreshes their rows,
    # updates included (which send no signal): so the answers this process keeps go here too.
    for pk in ids:
        kept_answers.forget(pk)


def rebuild() -> int:
    """Rewrite the whole table from the source rows; returns the number of rows.

    For bulk loads that bypass the services (demo seeding, the benchmark), as a repair, and
    after the daily outcome figures. One transaction: searches read the old rows until it
    commits; then the table is vacuumed (:func:`_vacuum`). The rows go in as plain values
    (COPY on PostgreSQL), not model instances through ``bulk_create``: 1,300,000 rows in about
    two minutes, where ``bulk_create`` took five (docs/benchmarks.md).
    """
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        transaction.on_commit(_vacuum, robust=True)  # the rows are in: a failure only logs
        written = _write(_expected_values(None))
    search_query.forget_places()
    return written


def _vacuum() -> None:
    """Once a rebuild has committed, on PostgreSQL: vacuum the table, which marks its pages
    all-visible (a search reads index entries only once they are; until then it reads each
    hit's row too, and searched twice as slowly among a million therapists), and analyse it.
    VACUUM cannot run inside a transaction, hence after the commit; it blocks no reader or
    writer."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return  # (inside a transaction only when a test runs the commit's callbacks early)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(SearchEntry._meta.db_table)}")


def _write(entries: Iterable[dict[str, Any]]) -> int:
    """Insert rows given as column values by attribute name, a batch at a time; returns how
    many.

    Each batch is drawn whole before it is written: drawing reads the source rows through a
    server-side cursor on the same connection, which cannot fetch while a COPY is under way.
    """
    fields = [f for f in SearchEntry._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column or f.attname) for f in fields)
    # The table and column names come from the model; the values are sent apart from the SQL.
    table = quote(SearchEntry._meta.db_table)
    copy_sql = f"COPY {table} ({columns}) FROM STDIN"
    insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    rows = (tuple(entry[name] for name in names) for entry in entries)
    count = 0
    with connection.cursor() as cursor:
        while batch := list(islice(rows, _COPY_BATCH)):
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(insert, batch)
            count += len(batch)
    return count


def user_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """``post_save`` of the user model: an account (de)activated adds or removes its rows.

    A signal, because accounts may be deactivated from the Django admin or any later code
    path, and the search must stop listing them at once. Saves that name their fields and
    leave out ``is_active`` (e.g. ``last_login`` at sign-in) cost nothing.
    """
    if update_fields is not None and "is_active" not in update_fields:
        return
    if not getattr(instance, "is_therapist", False):
        return
    refresh(
        profile_ids=list(
            TherapistProfile.objects.filter(user_id=instance.pk).values_list("pk", flat=True)
        )
    )
