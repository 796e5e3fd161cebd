"""Load: the production server on PostgreSQL under a realistic mix, against a hello-world ceiling.

Run:  DATABASE_URL=postgres://… .venv/bin/python -m bench.load
      (--workers 2 --step-seconds 8 --seconds 30 --levels 1,2,4,8,16)

DATABASE_URL names the PostgreSQL server; the benchmark makes a database of its own on it,
``sciaticare_bench_load`` (dropped and made again on each run, dropped at the end). A
subprocess migrates it and fills it with the demo (``seed_demo``: Greater Manchester, 15
clinics, 74 locations, 321 therapists with working hours and a few months of appointments,
reviews) plus 60 patients with an intake at level ok and an API token each. It is then
vacuumed and analysed, as autovacuum keeps a live database (a kept one at the start of each
run too, after the earlier run's writes).

gunicorn then serves, on 127.0.0.1 with 2 sync workers (DEBUG=0, HTTPS=0, staff MFA off as the
mix has no staff request; the per-caller API limits on but raised out of reach, since one
loopback address stands for many callers), first a plain Django hello-world (bench/hello_world.py: no
middleware, no database) and then the app, one after the other in the same run. The mix, per
request drawn at random:

- 35 % search: ``GET /api/v1/therapists?lat&lon&radius_km=10`` near a random demo location,
  a third of them with a modality;
- 35 % profile: ``GET /api/v1/therapists/{id}`` of a random listed therapist;
- 15 % slots: ``GET /api/v1/therapists/{id}/slots`` (the default 14 days);
- 10 % booking: ``POST /api/v1/appointments`` for a slot seen in an earlier slots answer
  (201, or 409 when it was taken meanwhile: both are answers, not errors);
- 5 % diary: ``POST /api/v1/diary`` (today's entry of a random patient; 201 or 200).

1. Closed loop, for each level of concurrent clients (each sends its next request when the
   last is answered), ``--step-seconds`` each: requests/s and latency. The highest requests/s
   is the maximum throughput; the hello-world's is the ceiling.
2. Open loop on the app at 80 % of its maximum: requests arrive at random (Poisson) at that
   rate for ``--seconds``, whatever the server's pace; each one's latency runs from when it
   was due, not when a client thread got round to it, so a stalled server cannot hide its
   queue (no coordinated omission). Target: p95 ≤ 100 ms and zero errors.
3. With the server still up and nothing else running, each kind's SQL floor
   (bench/load_floor.py: 60 requests of the kind, each replayed as its statements alone and
   then sent to the server, in turn) against its service time: the closed loop's 1-client p50,
   and those same 60 requests' p50. Target: within 3×.

Errors are answers other than the expected ones above, and broken or timed-out connections.
"stolen" is the share of the machine's CPU time its host gave to other guests during each
step (steal time in /proc/stat): how busy the machine's neighbours made it. "CPU ms" is the
machine's busy CPU time per request in the step (server, PostgreSQL and clients together): the
mix is the same in every step, so a step whose requests cost more ran on a slower machine, a
slowing that steal time does not show. The open loop prints it for each of its seconds too, and
"the machine's pace" sets the open loop's rate against what the machine could serve at the
pace it ran at then: on 2026-12-07 one machine's pace, in a closed loop held for 40 s, went
from 5.2 to 9.5 ms per request and back, and its requests cost more the fewer were in flight
(4.70 ms at 1 client, 3.53 at 16), so the open loop, with fewer in flight than the maximum's
step, asked 76–107 % of what it served at its pace (docs/benchmarks.md).
The client is stdlib threads and http.client, one connection per request (sync workers close
it anyway), on the same 2 cores as the server and PostgreSQL, so the figures are what one
machine does serving and loading itself. Locust was not used: it would add gevent, Flask and a
dozen packages for what 200 lines do, and its own CPU use would come out of the same 2 cores.
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

from bench.booking_contention import (
    PROJECT_DIR,
    Server,
    connect,
    drop_database,
    loopback,
    make_database,
    prepare_in_subprocess,
    server_environment,
)

BENCH_DATABASE = "sciaticare_bench_load"
PATIENTS = 60
MIX = (("search", 35), ("profile", 35), ("slots", 15), ("booking", 10), ("diary", 5))
KINDS = [kind for kind, _ in MIX]
WEIGHTS = [weight for _, weight in MIX]
EXPECTED = {
    "search": {200},
    "profile": {200},
    "slots": {200},
    "booking": {201, 409},
    "diary": {200, 201},
    "hello": {200},
}
MODALITIES = ("deep_tissue", "myofascial_release", "trigger_point", "swedish")
# The per-caller limits stay on (their cache rows are part of each request's cost) but so high
# that they never answer 429: here one address stands for the many callers of real traffic.
UNLIMITED = {
    "RATE_LIMITS_ENABLED": "1",  # server_environment turns them off for the contention bench
    "RATE_LIMIT_API_ANONYMOUS": "10000000/m",
    "RATE_LIMIT_API_USER": "10000000/m",
}
# Offered slots this close to now may pass the clinic's 2 h notice before they are booked.
NOTICE = 2.25 * 3600


# --- The world ---------------------------------------------------------------------------------


def write_world(patients: int) -> dict[str, Any]:
    """Runs inside a prepare subprocess, with Django set up on the bench database (this one's
    and bench/outage.py's)."""
    from django.core.management import call_command
    from django.utils import timezone

    from bench.booking_contention import write_world as contention_world
    from sciaticare.directory.models import Location, SessionType, TherapistProfile
    from sciaticare.scheduling.models import WorkingHours

    # Patients with an ok intake and a token (no therapists: the demo brings those).
    world = contention_world(0, patients)
    call_command("seed_demo", verbosity=0)
    working = set(WorkingHours.objects.values_list("therapist_id", flat=True))
    standard = dict(SessionType.objects.filter(is_standard=True).values_list("therapist_id", "pk"))
    # Bookable by these new patients: a therapist closed to new patients answers 403.
    listed = TherapistProfile.objects.filter(
        user__is_active=True,
        licence_expires_on__gte=timezone.localdate(),
        accepting_new_patients=True,
    ).values_list("pk", flat=True)
    world["therapists"] = [
        {"id": pk, "service": standard[pk]} for pk in listed if pk in working and pk in standard
    ]
    world["places"] = list(
        Location.objects.exclude(clinic__name="Contention clinic").values_list(
            "latitude", "longitude"
        )
    )
    return world


def prepare(database_url: str) -> dict[str, Any]:
    return prepare_in_subprocess(
        "bench.load",
        ["--patients", str(PATIENTS)],
        database_url,
        PROJECT_DIR / "var" / "bench" / "load",
        timeout=900,
    )


# --- Requests ----------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    due: float  # monotonic time the request was due (open loop) or sent (closed loop)
    ms: float  # latency from `due` to the end of the answer
    ok: bool
    status: int
    port: int = 0  # the app server that answered


@dataclass
class Traffic:
    """The mix: draws requests, remembers offered slots for later bookings. With ``others``,
    requests alternate between the app servers on ``port`` and those (bench/scale_out.py)."""

    port: int
    world: dict[str, Any]
    hello: bool = False
    slots: dict[int, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    others: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        self._ports = itertools.cycle((self.port, *self.others))

    def send(self, rng: random.Random, due: float, chosen: str | None = None) -> Sample:
        kind = chosen or ("hello" if self.hello else rng.choices(KINDS, WEIGHTS)[0])
        method, path, body, token, therapist = self.request(kind, rng)
        with self.lock:
            port = next(self._ports)  # with `others`, the servers take turns
        status, answer = self.exchange(method, path, body, token, port)
        ms = (time.monotonic() - due) * 1000.0
        if kind == "slots" and status == 200 and therapist is not None:
            self.remember_slots(therapist, answer)
        return Sample(kind, due, ms, status in EXPECTED[kind], status, port)

    def remember_slots(self, therapist: int, answer: bytes) -> None:
        """A slot list's answer: its times far enough ahead, for later bookings to take."""
        soon = time.time() + NOTICE
        offered = [
            s["start"]
            for s in json.loads(answer)
            if datetime.fromisoformat(s["start"]).timestamp() > soon
        ]
        with self.lock:
            self.slots[therapist] = offered

    def exchange(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        token: str | None,
        port: int | None = None,
    ) -> tuple[int, bytes]:
        """One request on a new connection to `port` (the first server's by default): (status,
        body); status 0 when the connection broke or timed out (bench/outage.py also logs each
        write's answer here)."""
        try:
            status, _, raw = loopback(port or self.port, method, path, body, token=token)
        except (OSError, http.client.HTTPException):
            return 0, b""
        return status, raw

    def request(
        self, kind: str, rng: random.Random
    ) -> tuple[str, str, dict[str, Any] | None, str | None, int | None]:
        world = self.world
        if kind == "hello":
            return "GET", "/", None, None, None
        if kind == "search":
            lat, lon = rng.choice(world["places"])
            query: dict[str, Any] = {
                "lat": round(lat + rng.uniform(-0.02, 0.02), 5),
                "lon": round(lon + rng.uniform(-0.03, 0.03), 5),
                "radius_km": 10,
            }
            if rng.random() < 1 / 3:
                query["modality"] = rng.choice(MODALITIES)
            return "GET", f"/api/v1/therapists?{urlencode(query)}", None, None, None
        therapist = rng.choice(world["therapists"])
        if kind == "profile":
            return "GET", f"/api/v1/therapists/{therapist['id']}", None, None, None
        if kind == "slots":
            return "GET", f"/api/v1/therapists/{therapist['id']}/slots", None, None, therapist["id"]
        token = rng.choice(world["tokens"])
        if kind == "diary":
            entry = {"back_pain": rng.randint(0, 10), "leg_pain": rng.randint(0, 10)}
            return "POST", "/api/v1/diary", entry, token, None
        with self.lock:  # booking: a slot some earlier answer offered, taken off the list
            known = [t for t in world["therapists"] if self.slots.get(t["id"])]
            chosen = rng.choice(known) if known else therapist
            offered = self.slots.get(chosen["id"]) or []
            start = offered.pop(rng.randrange(len(offered))) if offered else None
        body: dict[str, Any] = {
            "therapist": chosen["id"],
            "service": chosen["service"],
            "start": start or "",
        }
        return "POST", "/api/v1/appointments", body, token, None


def closed_loop(traffic: Traffic, clients: int, seconds: float) -> tuple[list[Sample], float]:
    samples: list[Sample] = []
    lock = threading.Lock()
    began = time.monotonic()
    deadline = began + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        mine = []
        while (now := time.monotonic()) < deadline:
            mine.append(traffic.send(rng, now))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return samples, time.monotonic() - began


def open_loop(
    traffic: Traffic, rate: float, seconds: float, pool: int
) -> tuple[list[Sample], float]:
    """Requests due at Poisson arrivals of `rate`/s; `pool` threads send each when it is due."""
    rng = random.Random(8)
    began = time.monotonic() + 0.2
    due, at = [], began
    while at < began + seconds:
        at += rng.expovariate(rate)
        due.append(at)
    samples: list[Sample] = []
    lock = threading.Lock()
    taken = iter(range(len(due)))

    def sender(seed: int) -> None:
        mine_rng = random.Random(seed)
        mine = []
        while True:
            with lock:
                i = next(taken, None)
            if i is None:
                break
            wait = due[i] - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            mine.append(traffic.send(mine_rng, due[i]))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=sender, args=(100 + i,), daemon=True) for i in range(pool)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return samples, time.monotonic() - began


# --- Figures -----------------------------------------------------------------------------------


def percentile(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (nan when empty)."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[max(0, -(-int(p * len(sorted_ms)) // 100) - 1)]


class Ticks(NamedTuple):
    """This machine's CPU ticks since boot, of all its cores (Linux's /proc/stat; zeros without
    it): steal is time a virtual machine's CPUs waited while the host ran other guests; busy is
    time they ran anything (not idle, not waiting for the disk)."""

    stolen: int
    busy: int
    total: int


def cpu_ticks() -> Ticks:
    try:
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:9]]
    except OSError:
        return Ticks(0, 0, 0)
    ticks += [0] * (8 - len(ticks))
    return Ticks(ticks[7], sum(ticks) - ticks[3] - ticks[4], sum(ticks))


def stolen_share(before: Ticks, after: Ticks) -> float:
    """The share of the CPU time between two `cpu_ticks` that the host took (nan: unknown)."""
    spent = after.total - before.total
    return (after.stolen - before.stolen) / spent if spent > 0 else float("nan")


TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_ms(before: Ticks, after: Ticks, requests: int) -> float:
    """The machine's busy CPU ms per request between two `cpu_ticks` (server, database and load
    generator alike). The mix is the same in every step, so a step whose requests cost more
    ran on a slower machine: its host's other guests take the caches and cycles that steal time
    does not count (nan: unknown)."""
    busy = after.busy - before.busy
    return busy * 1000.0 / TICKS_PER_SECOND / requests if busy > 0 and requests else float("nan")


def per_request_ms(seconds: float, requests: int) -> float:
    return seconds * 1000.0 / requests if requests else float("nan")


class CpuWatch:
    """`cpu_ticks` read each second in a thread while the block runs: what the machine's CPU did
    in each second of an open loop (`Figures.cpu_by_second`)."""

    def __init__(self) -> None:
        self.readings: list[tuple[float, Ticks]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        self.readings.append((time.monotonic(), cpu_ticks()))
        while not self._done.wait(1.0):
            self.readings.append((time.monotonic(), cpu_ticks()))
        self.readings.append((time.monotonic(), cpu_ticks()))  # the end: the last part-second

    def __enter__(self) -> CpuWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()


@dataclass
class Figures:
    label: str
    samples: list[Sample]
    elapsed: float
    stolen: float = float("nan")  # the share of the machine's CPU time the host took meanwhile
    cpu: float = float("nan")  # the machine's busy CPU ms per request meanwhile (`cpu_ms`)
    readings: list[tuple[float, Ticks]] = field(default_factory=list)  # each second's (`CpuWatch`)
    client_cpu: float = float("nan")  # of `cpu`, the load generator's own (this process's)

    @property
    def rate(self) -> float:
        return len(self.samples) / self.elapsed

    @property
    def errors(self) -> int:
        return sum(not s.ok for s in self.samples)

    def p(self, q: float, kind: str | None = None, worked: bool = False) -> float:
        """Percentile `q` of the latencies (of one kind; with `worked`, of its 200 and 201
        answers alone: a booking refused 409 does less than one made)."""
        return percentile(
            sorted(
                s.ms
                for s in self.samples
                if kind in (None, s.kind) and (not worked or s.status in (200, 201))
            ),
            q,
        )

    def by_second(self) -> str:
        """The p95 of the requests due in each second: a stall shows as a second or two."""
        first = min(s.due for s in self.samples)
        seconds: dict[int, list[float]] = defaultdict(list)
        for s in self.samples:
            seconds[int(s.due - first)].append(s.ms)
        return " ".join(
            f"{n}:{percentile(sorted(ms), 95):.0f}" for n, ms in sorted(seconds.items())
        )

    def cpu_by_second(self) -> str:
        """The machine's CPU ms per request answered in each second it was watched (`CpuWatch`):
        a second whose requests cost more ran on a slower machine."""
        ends = sorted(s.due + s.ms / 1000.0 for s in self.samples)
        shown = []
        for (began, before), (ended, after) in itertools.pairwise(self.readings):
            answered = bisect.bisect_left(ends, ended) - bisect.bisect_left(ends, began)
            shown.append(f"{cpu_ms(before, after, answered):.1f}")
        return " ".join(shown)

    def show(self) -> None:
        """An open loop's line, and what happened in each of its seconds."""
        print(self.line())
        print(f"  p95 ms of each second: {self.by_second()}")
        print(f"  the machine's CPU ms per answer in each second: {self.cpu_by_second()}")

    def line(self) -> str:
        return (
            f"{self.label:<34} {self.rate:>8.1f} {self.p(50):>8.1f} {self.p(95):>8.1f} "
            f"{self.p(99):>8.1f} {len(self.samples):>8,} {self.errors:>7,} {self.stolen:>7.1%}"
            f" {self.cpu:>7.2f} {self.client_cpu:>7.2f}"
        )


HEADER = (
    f"{'':<34} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'requests':>8} {'errors':>7}"
    f" {'stolen':>7} {'CPU ms':>7} {'client':>7}"
)


def ramp(
    traffic: Traffic, levels: list[int], seconds: float, name: str, show: Callable[[str], None]
) -> list[Figures]:
    """Closed loop at each level; the figures of each, in order."""
    closed_loop(traffic, 2, 2.0)  # every worker warm (imports, connections, URLconf)
    steps = []
    for clients in levels:
        before, client_before = cpu_ticks(), time.process_time()
        samples, elapsed = closed_loop(traffic, clients, seconds)
        after, client_after = cpu_ticks(), time.process_time()
        steps.append(
            Figures(
                f"{name}, {clients} clients",
                samples,
                elapsed,
                stolen_share(before, after),
                cpu_ms(before, after, len(samples)),
                client_cpu=per_request_ms(client_after - client_before, len(samples)),
            )
        )
        show(steps[-1].line())
    return steps


def open_figures(traffic: Traffic, rate: float, args: argparse.Namespace) -> Figures:
    client_before = time.process_time()
    with CpuWatch() as watch:
        samples, elapsed = open_loop(traffic, rate, args.seconds, args.pool)
    client_after = time.process_time()
    before, after = watch.readings[0][1], watch.readings[-1][1]
    return Figures(
        f"app mix, open loop at {rate:.1f}/s",
        samples,
        elapsed,
        stolen_share(before, after),
        cpu_ms(before, after, len(samples)),
        watch.readings,
        per_request_ms(client_after - client_before, len(samples)),
    )


def pace(best: Figures, steady: Figures, offered: float) -> str:
    """The open loop's load against what the machine could serve while it ran. The same mix cost
    the machine `best.cpu` ms of CPU per request in the maximum's step and `steady.cpu` in the
    open loop: at the open loop's pace the maximum would have been about best.rate × best.cpu /
    steady.cpu (the CPU the maximum's step used being the CPU there is)."""
    capacity = best.rate * best.cpu / steady.cpu
    return (
        f"the machine's pace: the same mix cost {best.cpu:.2f} ms of its CPU per request in the "
        f"maximum's step and {steady.cpu:.2f} ms in the open loop: at that pace it could serve "
        f"about {capacity:.0f} req/s, and the open loop asked {offered:.0f} req/s of "
        f"it, {offered / capacity:.0%} (80 % when the machine keeps its pace)"
    )


def by_kind(figures: Figures) -> None:
    statuses: dict[str, Counter[int]] = defaultdict(Counter)
    for s in figures.samples:
        statuses[s.kind][s.status] += 1
    for kind, _ in MIX:
        print(
            f"  {kind:<8} {statuses[kind].total():>6,} requests  p50 {figures.p(50, kind):>7.1f}  "
            f"p95 {figures.p(95, kind):>7.1f}  p99 {figures.p(99, kind):>7.1f} ms  "
            f"answers {dict(sorted(statuses[kind].items()))}"
        )


def _against_floors(figures: Figures, url: str, var_dir: Path, port: int) -> None:
    """Each kind's service time beside its SQL floor (bench/load_floor.py), measured in the same
    moments: each request of the kind both replayed as statements and sent to the server on
    `port`."""
    done = subprocess.run(  # noqa: S603 - this interpreter and one of our modules, no shell
        [sys.executable, "-m", "bench.load_floor", str(var_dir / "world.json"), str(port)],
        cwd=PROJECT_DIR,
        env=server_environment(url, var_dir) | UNLIMITED,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        print(f"  SQL floors could not be measured:\n{done.stderr[-2000:]}")
        return
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    floors, paired = measured["floor"], measured["service"]
    # Only requests that did their work count (a booking made, not refused), on both sides.
    # Two service times: the closed loop's first step (requests back to back) and the same
    # requests as the floor, each alone after its replay (the server idle in between); on a
    # virtual machine the second pays for waking an idle CPU (docs/benchmarks.md, 2026-12-07).
    print(
        "\nservice time against the SQL floor (p50s of the 200 and 201 answers; target ≤ 3×):"
        "\n  the floor: the statements of each of 60 requests of the kind, replayed; the service:"
        "\n  (a) the closed loop's 1-client step, (b) the same 60 requests sent one at a time"
    )
    for kind in KINDS:
        floor = floors.get(kind, float("nan"))
        looped = figures.p(50, kind, worked=True)
        alone = paired.get(kind, float("nan"))
        print(
            f"  {kind:<8} SQL floor {floor:>5.2f} ms   (a) {looped:>5.1f} ms {looped / floor:>4.1f}×"
            f"   (b) {alone:>5.1f} ms {alone / floor:>4.1f}×"
        )


def _database(base_url: str, keep: bool, var_dir: Path) -> tuple[str, dict[str, Any]]:
    """The bench database and its world: made and filled, or the kept one (--keep); either
    way vacuumed and analysed (`settle`)."""
    saved = var_dir / "world.json"
    url = urlunsplit(urlsplit(base_url)._replace(path=f"/{BENCH_DATABASE}"))
    if keep and saved.exists():
        try:
            with connect(url) as conn:
                conn.execute("SELECT 1 FROM scheduling_workinghours LIMIT 1")
            print(
                f"Database {BENCH_DATABASE} kept from an earlier run (--keep); "
                f"VACUUM ANALYZE in {settle(url):.1f} s."
            )
            world: dict[str, Any] = json.loads(saved.read_text())
            return url, world
        except psycopg.Error:
            pass
    started = time.perf_counter()
    url = make_database(BENCH_DATABASE, postgres_url=base_url)
    world = prepare(url)
    var_dir.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(world))
    vacuumed = settle(url)
    print(
        f"Database {BENCH_DATABASE}: demo data + {PATIENTS} patients in "
        f"{time.perf_counter() - started:.0f} s, VACUUM ANALYZE {vacuumed:.1f} s of it; "
        f"{len(world['therapists'])} listed therapists."
    )
    return url, world


def settle(url: str) -> float:
    """VACUUM ANALYZE the bench database; returns the seconds it took.

    A live database is kept so by autovacuum: its planner has statistics and its tables' dead
    rows are cleared. A cluster can run without it (this machine's has autovacuum off), and a
    database just filled, or written by an earlier run, then has neither: on 2026-12-06 the
    same server and data served 292 req/s at most unvacuumed and 321 vacuumed, and the open
    loop's p95 at 80 % went from 332 to 41 ms (docs/benchmarks.md)."""
    started = time.perf_counter()
    with connect(url) as conn:
        conn.autocommit = True  # VACUUM cannot run inside a transaction
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> int:
    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        print(
            "The load benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr
        )
        return 2
    # CREATE DATABASE goes through the server's maintenance database: the one DATABASE_URL
    # names need not exist.
    base_url = urlunsplit(urlsplit(base_url)._replace(path="/postgres"))
    var_dir = PROJECT_DIR / "var" / "bench" / "load"
    levels = [int(n) for n in args.levels.split(",")]
    url, world = _database(base_url, args.keep, var_dir)
    try:
        print(
            f"gunicorn {args.workers} sync workers on 127.0.0.1; PostgreSQL; {os.cpu_count()} cores "
            f"shared with the clients; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
            f"load average before {os.getloadavg()[0]:.2f}\n"
        )
        print(HEADER)
        print("-" * len(HEADER))
        hello_server = Server(
            url,
            var_dir,
            workers=args.workers,
            ready_path="/",
            app="django.core.wsgi:get_wsgi_application()",
        )
        hello_server.env["DJANGO_SETTINGS_MODULE"] = "bench.hello_world"
        hello_server.log_path = var_dir / "gunicorn-hello.log"
        with hello_server:
            ceiling = max(
                ramp(
                    Traffic(hello_server.port, world, hello=True),
                    levels,
                    args.step_seconds,
                    "hello-world (ceiling)",
                    print,
                ),
                key=lambda f: f.rate,
            )
        server = Server(url, var_dir, workers=args.workers)
        server.env.update(UNLIMITED)
        with server:
            traffic = Traffic(server.port, world)
            for therapist in world["therapists"][:40]:  # slots to book from the first second
                traffic.send(random.Random(therapist["id"]), time.monotonic(), "slots")
            steps = ramp(traffic, levels, args.step_seconds, "app mix, closed loop", print)
            best = max(steps, key=lambda f: f.rate)
            rate = 0.8 * best.rate
            steady = open_figures(traffic, rate, args)
            steady.show()
            for also in (float(r) for r in args.also_rates.split(",") if r):
                open_figures(traffic, also, args).show()
            print(
                f"\nmaximum: app {best.rate:.1f} req/s ({best.label.split(', ')[-1]}), "
                f"hello-world ceiling {ceiling.rate:.1f} req/s ({ceiling.label.split(', ')[-1]}): "
                f"the app serves {best.rate / ceiling.rate:.0%} of the ceiling; "
                f"load average after {os.getloadavg()[0]:.2f}"
            )
            print(pace(best, steady, rate))
            print(f"\n{steps[0].label}, by kind (service time with no queue):")
            by_kind(steps[0])
            _against_floors(steps[0], url, var_dir, server.port)  # the server still serving
    finally:
        if not args.keep:
            drop_database(base_url, BENCH_DATABASE)

    print("\nopen loop at 80 %, by kind:")
    by_kind(steady)
    met = steady.p(95) <= 100.0 and steady.errors == 0
    print(
        f"\ntarget p95 ≤ 100 ms and zero errors at 80 % of the maximum: "
        f"{'met' if met else 'NOT met'} (p95 {steady.p(95):.1f} ms, {steady.errors} errors)"
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command")
    prep = sub.add_parser("prepare", help="(internal) fill DATABASE_URL; print the world as JSON")
    prep.add_argument("--patients", type=int, default=PATIENTS)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--levels", default="1,2,4,8,16", help="closed-loop client counts")
    parser.add_argument("--step-seconds", type=float, default=8.0, help="per closed-loop level")
    parser.add_argument("--seconds", type=float, default=30.0, help="open loop at 80 %%")
    parser.add_argument("--pool", type=int, default=64, help="open-loop sender threads")
    parser.add_argument(
        "--also-rates",
        default="",
        help="req/s, comma-separated: open loops at these rates too, after the one at 80 %%",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database for the next --keep run"
    )
    args = parser.parse_args(argv)
    if args.command == "prepare":
        import django

        django.setup()
        print(json.dumps(write_world(args.patients)))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
