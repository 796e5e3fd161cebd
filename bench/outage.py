"""Database outages (issue 19): the load mix through gunicorn while PostgreSQL restarts, while one
app backend is killed, and while a lock holds bookings up; nothing acknowledged may be lost.

Run:  .venv/bin/python -m bench.outage   (as root, or a user who may run pg_createcluster)
      (--rate 10 --workers 4 --lock-seconds 10 --health-checks both)

It never touches another PostgreSQL: it makes a cluster of its own (``pg_createcluster`` on a
free port in 5434–5499, trust on loopback), dropped at the end, also on error or Ctrl-C. On it,
the load benchmark's world (bench/load.py: the demo's 321 therapists and 60 patients with a
token each) plus two therapists with 300 past sessions each whose notes are still to be written
(tests/proof/crash_world.py). gunicorn (``--workers`` sync workers, production settings, the
web's database limits at their defaults) serves it; the load mix arrives at random at
``--rate`` per second (bench/load.py's open loop: 35 % search, 35 % profile, 15 % slots, 10 %
booking, 5 % diary), and two therapists write, save twice and sign their notes one after the
other (the crash test's note clients). Every write and its answer is logged. In each server's
life, with CONN_HEALTH_CHECKS on and then off:

1. 10 s of baseline;
2. ``pg_ctlcluster restart`` (fast shutdown: every connection is cut, transactions rolled back);
   a poller notes when the database stopped answering and when it answered again;
3. 10 s on, ``pg_terminate_backend`` of one app backend, at random;
4. 10 s on, another session holds ``LOCK TABLE scheduling_appointment IN SHARE MODE`` for
   ``--lock-seconds``: reads go on, bookings wait for the lock (``lock_timeout``, 2 s).

Then a server with the three limits off (``DATABASE_*_TIMEOUT_MS=0``) meets the same lock: the
baseline of the same run, showing what the limits buy.

Printed: the answers by status in each outage (from its start to 5 s after the database was
back; 503 is the expected answer, a 500 or a broken connection is a failure), how long after
the database was back the first request succeeded (target ≤ 5 s), the latency of bookings and
of the other requests while the lock was held, and the history check of the crash test
(tests/proof/crash_history.py) over every write: each acknowledged booking, diary entry and
signature is in the database as answered. A write answered 503 counts as in doubt, as a lost
connection does: the database may have committed it just before it went away.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench.booking_contention import (
    PROJECT_DIR,
    Server,
    make_database,
    overlapping_pairs,
    prepare_in_subprocess,
    server_environment,
)
from bench.load import UNLIMITED, Sample, Traffic, open_loop, percentile
from tests.proof.crash_history import Write, check_bookings, check_diary, check_notes, draft

BENCH_DATABASE = "sciaticare_bench_outage"
CLUSTER = "bench_outage"
PATIENTS = 60
NOTE_THERAPISTS = 2
DIARY_MARK = "outage-"  # each diary write's note: the demo's entries carry none
AFTER = 5.0  # an outage's window runs until this long after the database is back
SETTLE = 10.0
NO_LIMITS = {
    "DATABASE_STATEMENT_TIMEOUT_MS": "0",
    "DATABASE_LOCK_TIMEOUT_MS": "0",
    "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS": "0",
}


# --- A cluster of its own --------------------------------------------------------------------


@dataclass
class Cluster:
    version: str
    name: str
    port: int

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def ctl(self, action: str) -> None:
        subprocess.run(  # noqa: S603 - Debian's wrapper with fixed arguments
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, action],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=120,
        )


def _free_port(taken: set[int]) -> int:
    for port in range(5434, 5500):
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port in 5434–5499 for the bench's cluster")


def _clusters() -> list[list[str]]:
    listed = subprocess.run(
        ["pg_lsclusters", "--no-header"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    return [line.split() for line in listed.stdout.splitlines() if line.strip()]


def _drop(version: str, name: str) -> None:
    subprocess.run(  # noqa: S603 - Debian's wrapper with fixed arguments
        ["pg_dropcluster", "--stop", version, name],  # noqa: S607
        check=False,
        capture_output=True,
        timeout=120,
    )


@contextmanager
def own_cluster(version: str) -> Iterator[Cluster]:
    """A new PostgreSQL cluster on a free port, trusting loopback; dropped when the block ends."""
    clusters = _clusters()
    if any(row[:2] == [version, CLUSTER] for row in clusters):
        _drop(version, CLUSTER)  # left by a run that was killed
    port = _free_port({int(row[2]) for row in clusters})
    subprocess.run(  # noqa: S603 - Debian's wrapper with fixed arguments
        ["pg_createcluster", version, CLUSTER, "--port", str(port), "--", "--auth=trust"],  # noqa: S607
        check=True,
        capture_output=True,
        timeout=300,
    )
    try:
        cluster = Cluster(version, CLUSTER, port)
        cluster.ctl("start")
        yield cluster
    finally:
        _drop(version, CLUSTER)


# --- The world ---------------------------------------------------------------------------------


def _write_world() -> dict[str, Any]:
    """Runs inside the prepare subprocess, with Django set up on the bench database."""
    from django.db.models import Max

    from bench.booking_contention import write_world as contention_world
    from bench.load import write_world as load_world
    from sciaticare.scheduling.models import Appointment
    from tests.proof.crash_world import enrol_therapists, patient_ids_in_order

    world = load_world(PATIENTS)
    world["patients"] = patient_ids_in_order(PATIENTS)
    # Two therapists of their own (a clinic beside the demo's) for the notes, not in the mix;
    # their past sessions at 03:00 UTC, when the demo gave the same patients none.
    notes = contention_world(NOTE_THERAPISTS, 0)["therapists"]
    enrol_therapists(notes, world["patients"], NOTE_THERAPISTS, hour=3)
    world["note_therapists"] = notes
    # The demo booked sessions for these patients too: the run's own come after this one.
    world["seeded_up_to"] = Appointment.objects.aggregate(last=Max("pk"))["last"] or 0
    return world


def _state(url: str, var_dir: Path, world: dict[str, Any]) -> dict[str, Any]:
    """What the database holds of the run's writes (tests/proof/crash_world.py's `state`)."""
    notes = world["note_therapists"]
    ids = {
        "therapists": [t["id"] for t in world["therapists"] + notes],
        "patients": world["patients"],
    }
    done = subprocess.run(  # noqa: S603 - this interpreter and module, no shell
        [sys.executable, "-m", "tests.proof.crash_world", "state", "--ids", json.dumps(ids)],
        cwd=PROJECT_DIR,
        env=server_environment(url, var_dir),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    state: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    # Only the run's own rows: the demo gave its therapists appointments, signed notes and, for
    # some of these patients, sessions and diary days of their own.
    past = {a for t in notes for a in t["past_appointments"]}
    state["appointments"] = [
        a for a in state["appointments"] if a["id"] > world["seeded_up_to"] or a["id"] in past
    ]
    state["notes"] = [n for n in state["notes"] if n["appointment"] in past]
    state["entries"] = [e for e in state["entries"] if e["note"].startswith(DIARY_MARK)]
    return state


# --- Clients that log their writes -------------------------------------------------------------


def outcome(status: int) -> str:
    """How the history check reads an answer: a 503, like a broken connection, is in doubt."""
    if 200 <= status < 300:
        return "ack"
    if 400 <= status < 500:
        return "no"
    return "lost" if status in (0, 503) else "error"


@dataclass
class Journal(Traffic):
    """The load mix, logging every booking and diary write with what it was told. One patient's
    diary writes never overlap (the check reads them in order)."""

    writes: list[Write] = field(default_factory=list)
    patients: dict[str, int] = field(default_factory=dict)  # token → patient id
    turns: dict[str, threading.Lock] = field(default_factory=lambda: defaultdict(threading.Lock))
    sequence: int = 0

    def log(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)

    def request(
        self, kind: str, rng: random.Random
    ) -> tuple[str, str, dict[str, Any] | None, str | None, int | None]:
        method, path, body, token, therapist = super().request(kind, rng)
        if kind == "diary" and body is not None:
            with self.lock:
                self.sequence += 1
                body["note"] = f"{DIARY_MARK}{self.sequence}"  # which write an entry came from
        return method, path, body, token, therapist

    def exchange(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        token: str | None,
        port: int | None = None,
    ) -> tuple[int, bytes]:
        if method != "POST" or body is None or token is None:
            return super().exchange(method, path, body, token, port)
        patient = self.patients[token]
        if path == "/api/v1/diary":
            with self.turns[token]:
                status, answer = super().exchange(method, path, body, token, port)
                key = {
                    "patient": patient,
                    "note": body["note"],
                    "back": body["back_pain"],
                    "leg": body["leg_pain"],
                }
                self.log(Write("diary", outcome(status), status, time.monotonic(), key))
            return status, answer
        status, answer = super().exchange(method, path, body, token, port)
        if body.get("start"):  # a booking with no slot known is refused, not logged
            key = {
                "patient": patient,
                "therapist": body["therapist"],
                "start": datetime.fromisoformat(body["start"]).timestamp(),
            }
            said = json.loads(answer) if 200 <= status < 300 else {}
            self.log(Write("booking", outcome(status), status, time.monotonic(), key, said))
        return status, answer


def note_client(journal: Journal, therapist: dict[str, Any], stop: threading.Event) -> None:
    """Opens, saves twice and signs each past session's note in turn (the crash test's note
    client), a step every 0.25 s; a step not acknowledged leaves that note as it is."""
    pending: list[int] = therapist.setdefault("pending", list(therapist["past_appointments"]))
    token = therapist["token"]
    while pending and not stop.is_set():
        appointment = pending.pop(0)
        path = f"/api/v1/appointments/{appointment}/note"
        key = {"appointment": appointment, "therapist_user": therapist["user"]}
        steps: list[tuple[str, str, str, dict[str, Any] | None]] = [
            ("note.open", "GET", path, None),
            ("note.v1", "PUT", path, draft(appointment, 1)),
            ("note.v2", "PUT", path, draft(appointment, 2)),
            ("note.sign", "POST", f"{path}/sign", None),
        ]
        for kind, method, url, body in steps:
            status, answer = journal.exchange(method, url, body, token)  # not logged by it
            said = json.loads(answer) if 200 <= status < 300 and answer else {}
            write = Write(kind, outcome(status), status, time.monotonic(), key, said)
            journal.log(write)
            if stop.wait(0.25) or write.outcome != "ack":
                break


# --- The events --------------------------------------------------------------------------------


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=2) as c:
            c.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def restart(cluster: Cluster, url: str) -> tuple[float, float, float]:
    """`pg_ctlcluster restart`; (when it began, when the database stopped answering, when it
    answered again), the last two seen by a connection tried every 20 ms."""
    seen: dict[str, float] = {}
    done = threading.Event()

    def poll() -> None:
        while True:
            up = _answers(url)
            now = time.monotonic()
            if not up:
                seen.setdefault("down", now)
            elif "down" in seen:
                seen["back"] = now
                return
            elif done.is_set():
                return  # never seen down: the command's return stands for "back"
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    began = time.monotonic()
    poller.start()
    cluster.ctl("restart")
    done.set()
    poller.join(timeout=30)
    back = seen.get("back", time.monotonic())
    return began, seen.get("down", began), back


def kill_one_backend(url: str) -> tuple[float, int]:
    """pg_terminate_backend of one app connection, at random; when, and of how many."""
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        ]
        killed = time.monotonic()
        if not pids:
            raise RuntimeError("no app connection to kill: is the server serving?")
        conn.execute("SELECT pg_terminate_backend(%s)", [random.choice(pids)])
    return killed, len(pids)


def hold_lock(url: str, seconds: float) -> tuple[float, float]:
    """Another session keeps new appointments out for `seconds` (reads pass); (start, end)."""
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        conn.execute("LOCK TABLE scheduling_appointment IN SHARE MODE")
        start = time.monotonic()
        time.sleep(seconds)
        conn.rollback()
        return start, time.monotonic()


# --- A server's life under load ----------------------------------------------------------------


@dataclass
class Life:
    label: str
    samples: list[Sample]
    windows: dict[str, tuple[float, float]]  # name → (start, end), monotonic
    marks: dict[str, float]

    def within(self, name: str) -> list[Sample]:
        start, end = self.windows[name]
        return [s for s in self.samples if start <= s.due < end]


def under_load(
    journal: Journal,
    world: dict[str, Any],
    args: argparse.Namespace,
    seconds: float,
    script: Callable[[], tuple[dict[str, tuple[float, float]], dict[str, float]]],
) -> tuple[list[Sample], dict[str, tuple[float, float]], dict[str, float]]:
    """The mix at `args.rate`/s and the note clients for `seconds`, while `script` runs."""
    for therapist in world["therapists"][:40]:  # slots to book from the first second
        journal.send(random.Random(therapist["id"]), time.monotonic(), "slots")
    stop = threading.Event()
    notes = [
        threading.Thread(target=note_client, args=(journal, t, stop), daemon=True)
        for t in world["note_therapists"]
    ]
    box: dict[str, Any] = {}
    mix = threading.Thread(
        target=lambda: box.update(done=open_loop(journal, args.rate, seconds, args.pool)),
        daemon=True,
    )
    for thread in [mix, *notes]:
        thread.start()
    try:
        windows, marks = script()
    finally:
        mix.join(timeout=seconds + 180)
        stop.set()
        for thread in notes:
            thread.join(timeout=60)
    samples, _ = box["done"]
    return samples, windows, marks


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def outages_script(
    cluster: Cluster, url: str, lock_seconds: float
) -> Callable[[], tuple[dict[str, tuple[float, float]], dict[str, float]]]:
    def script() -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
        began = time.monotonic()
        _sleep_until(began + SETTLE)
        windows = {"baseline": (began, time.monotonic())}
        start, down, back = restart(cluster, url)
        windows["restart"] = (start, back + AFTER)
        marks = {"down": down, "back": back}
        _sleep_until(back + SETTLE)
        killed, connections = kill_one_backend(url)
        windows["kill"] = (killed, killed + AFTER)
        marks.update(killed=killed, connections=connections)
        _sleep_until(killed + SETTLE)
        windows["lock"] = hold_lock(url, lock_seconds)
        return windows, marks

    return script


def _tally(samples: list[Sample]) -> dict[int, int]:
    return dict(sorted(Counter(s.status for s in samples).items()))


def _first_success(samples: list[Sample], sent_after: float, back: float) -> float:
    """Seconds from `back` to the end of the first good answer to a request sent after
    `sent_after` (the outage's start)."""
    ends = [s.due + s.ms / 1000 for s in samples if s.ok and s.due >= sent_after]
    ends = [end for end in ends if end >= back]
    return min(ends) - back if ends else float("nan")


def _p95(samples: list[Sample]) -> float:
    return percentile(sorted(s.ms for s in samples), 95)


def _last_failure(samples: list[Sample], back: float) -> float:
    """Seconds from `back` to the end of the last 5xx or broken answer (0: none after it)."""
    ends = [s.due + s.ms / 1000 - back for s in samples if s.status == 0 or s.status >= 500]
    return max([end for end in ends if end >= 0], default=0.0)


def _lock_line(life: Life) -> str:
    held = life.within("lock")
    bookings = sorted(s.ms for s in held if s.kind == "booking")
    others = sorted(s.ms for s in held if s.kind != "booking")
    return (
        f"bookings {_tally([s for s in held if s.kind == 'booking'])} "
        f"p50 {percentile(bookings, 50):,.0f} / p95 {percentile(bookings, 95):,.0f} / "
        f"max {max(bookings, default=float('nan')):,.0f} ms; other requests p95 "
        f"{percentile(others, 95):,.0f} ms ({len(others)}, {_tally([s for s in held if s.kind != 'booking'])})"
    )


def report(life: Life, writes: list[Write]) -> None:
    """A server's life in lines; the note writers' answers (not in the samples) beside the mix's."""

    def notes(window: str) -> str:
        start, end = life.windows[window]
        told = Counter(
            w.status for w in writes if w.kind.startswith("note.") and start <= w.at < end
        )
        return f"note writers {dict(sorted(told.items()))}"

    print(f"\n{life.label}")
    if "baseline" in life.windows:
        base = life.within("baseline")
        print(
            f"  baseline {life.windows['baseline'][1] - life.windows['baseline'][0]:.0f} s: "
            f"{len(base)} requests, p95 {percentile(sorted(s.ms for s in base), 95):.0f} ms, "
            f"answers {_tally(base)}, {notes('baseline')}"
        )
    if "restart" in life.windows:
        start = life.windows["restart"][0]
        down, back = life.marks["down"], life.marks["back"]
        print(
            f"  restart: not answering for {back - down:.2f} s (restart to back {back - start:.2f} s); "
            f"answers from the restart to {AFTER:g} s after: mix {_tally(life.within('restart'))} "
            f"(p95 {_p95(life.within('restart')):,.0f} ms), "
            f"{notes('restart')}; first success {_first_success(life.samples, start, back):.2f} s "
            f"after it was back (target ≤ {AFTER:g} s), the last failure "
            f"{_last_failure(life.within('restart'), back):.2f} s after"
        )
    if "kill" in life.windows:
        print(
            f"  kill of one of {life.marks['connections']:.0f} app connections: answers in the "
            f"{AFTER:g} s after: mix {_tally(life.within('kill'))} "
            f"(p95 {_p95(life.within('kill')):,.0f} ms), {notes('kill')}"
        )
    print(
        f"  lock {life.windows['lock'][1] - life.windows['lock'][0]:.0f} s: {_lock_line(life)}; "
        f"{notes('lock')}"
    )


def run(args: argparse.Namespace) -> int:
    var_dir = PROJECT_DIR / "var" / "bench" / "outage"
    load_before = os.getloadavg()[0]
    lives: list[Life] = []
    with own_cluster(args.pg_version) as cluster:
        started = time.perf_counter()
        url = make_database(BENCH_DATABASE, postgres_url=cluster.url("postgres"))
        world = prepare_in_subprocess("bench.outage", [], url, var_dir, timeout=1200)
        print(
            f"Cluster {cluster.version}/{cluster.name} on port {cluster.port}, database "
            f"{BENCH_DATABASE}: demo + {PATIENTS} patients + {NOTE_THERAPISTS} therapists' notes "
            f"in {time.perf_counter() - started:.0f} s; {len(world['therapists'])} listed therapists."
        )
        print(
            f"gunicorn {args.workers} sync workers; the load mix at {args.rate:g}/s (open loop) and "
            f"{NOTE_THERAPISTS} note writers; {os.cpu_count()} cores shared with the clients and "
            f"PostgreSQL; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average before {load_before:.2f}"
        )
        journal = Journal(
            0, world, patients=dict(zip(world["tokens"], world["patients"], strict=True))
        )
        settings = {"both": ["1", "0"], "on": ["1"], "off": ["0"]}[args.health_checks]
        runs: list[tuple[str, dict[str, str], float, Callable[..., Any]]] = [
            (
                f"CONN_HEALTH_CHECKS={on}, limits at their defaults",
                {"CONN_HEALTH_CHECKS": on},
                4 * SETTLE + args.lock_seconds + 25.0,
                outages_script(cluster, url, args.lock_seconds),
            )
            for on in settings
        ]
        runs.append(
            (
                "the same lock with the limits off (DATABASE_*_TIMEOUT_MS=0): the baseline",
                NO_LIMITS,
                args.lock_seconds + 2 * AFTER + 2.0,
                lambda: ({"lock": hold_lock_after(url, AFTER, args.lock_seconds)}, {}),
            )
        )
        for n, (label, env, seconds, script) in enumerate(runs):
            server = Server(url, var_dir, workers=args.workers)
            server.env.update(UNLIMITED, **env)
            server.log_path = var_dir / f"gunicorn-{n}.log"
            with server:
                journal.port = server.port
                samples, windows, marks = under_load(journal, world, args, seconds, script)
            lives.append(Life(label, samples, windows, marks))
            report(lives[-1], journal.writes)
        load_after = os.getloadavg()[0]
        state = _state(url, var_dir, world)
        pairs = overlapping_pairs(url)

    writes = journal.writes
    problems = (
        check_bookings({"therapists": world["note_therapists"]}, writes, state)
        + check_diary(writes, state)
        + check_notes(writes, state)
    )
    told = Counter((w.kind.split(".")[0], w.outcome if w.status != 503 else "503") for w in writes)
    # A 500 or a broken connection is a failure; 503 is the answer an outage should give.
    failures = sum(
        1 for life in lives for s in life.samples if s.status == 0 or 500 <= s.status != 503
    )
    failures += sum(  # the note writers' answers are not in the samples
        1 for w in writes if w.kind.startswith("note.") and (w.outcome == "error" or w.status == 0)
    )
    print(
        f"\nhistory: writes {dict(sorted(told.items()))} (503 and lost: in doubt); "
        f"{len(problems)} problems; {pairs} overlapping pairs; answers other than the expected "
        f"ones and 503 (500s, broken connections): {failures}; load average after {load_after:.2f}"
    )
    for problem in problems[:20]:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems or pairs or failures else 0


def hold_lock_after(url: str, wait: float, seconds: float) -> tuple[float, float]:
    time.sleep(wait)
    return hold_lock(url, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("prepare", help="(internal) fill DATABASE_URL; print the world as JSON")
    parser.add_argument("--rate", type=float, default=10.0, help="requests/s of the load mix")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--pool", type=int, default=64, help="open-loop sender threads")
    parser.add_argument("--lock-seconds", type=float, default=10.0)
    parser.add_argument("--health-checks", choices=["both", "on", "off"], default="both")
    parser.add_argument("--pg-version", default=_newest_postgresql())
    args = parser.parse_args(argv)
    if args.command == "prepare":
        import django

        django.setup()
        print(json.dumps(_write_world()))
        return 0
    return run(args)


def _newest_postgresql() -> str:
    versions = sorted(
        (p.name for p in Path("/usr/lib/postgresql").glob("*") if p.name.isdigit()), key=int
    )
    return versions[-1] if versions else "15"


if __name__ == "__main__":
    sys.exit(main())
