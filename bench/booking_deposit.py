"""Booking with a deposit beside booking without, then parallel patients racing for the same
slots at a deposit clinic, some with a card declined when charged; through gunicorn against the
local card processor (localstripe).

Run:  .venv/bin/python -m bench.booking_deposit                     (SQLite)
      DATABASE_URL=postgres://… .venv/bin/python -m bench.booking_deposit   (PostgreSQL)
      (--bookings 100 --clients 20 --seconds 20 --declined 0.25 --workers 4 --threads 1)

The database is one of its own, made afresh and dropped at the end the way
bench/booking_contention.py makes its own: ``sciaticare_bench_deposit`` on the PostgreSQL server
of DATABASE_URL, or ``var/bench/deposit/sciaticare_bench_deposit.sqlite3``. localstripe is
started on a free port the way tests/stripe.py starts it (``--from-scratch``) and stopped at
the end; the server is given its keys and address, as the tests and the demo are.

The world (a subprocess, ``python -m bench.booking_deposit prepare``): bench/booking_contention's
patients (an intake at level ok and an API token each) and therapists (every day 07:00–21:00,
a 60-minute £60.00 standard session, the clinic's default rules), split over three groups:
the **plain** clinic, which has no payment policy (booking as before issue 15); the **deposit**
clinic, whose policy takes 20 % (£12.00) by card at booking, with £20.00 late-cancellation and
£30.00 missed-session fees; and the deposit clinic's **race** therapists, used only by the
contention run.

1. **Latency**, one client alone, each patient in turn, the three kinds interleaved so that
   they see the same machine: a plain booking (``POST /api/v1/appointments`` → 201 booked), then the same
   patient's booking at the deposit clinic as a new patient would pay it — ``POST
   /api/v1/appointments`` (the slot held, the deposit owed, a card set-up made at the
   processor), the card confirmed at the processor as Stripe.js does it in the browser (card
   4242 4242 4242 4242), ``POST /api/v1/payments/{id}/card`` (the card kept, the deposit
   charged, the slot booked); then the same patient once more at the deposit clinic, now with
   their card on file: one ``POST /api/v1/appointments`` that charges it and books. Reported:
   p50/p95 of each request and of the server's share of each flow (our requests, the
   processor's time inside them included; the browser-to-processor step apart).
2. **Contention**, ``--clients`` threads for ``--seconds``, each a patient of its own; a share
   ``--declined`` of them pays with 4000 0000 0000 0341 (saved, then declined when charged).
   Each repeats: take the slot list of one of the race therapists, pick one of its first three
   slots (so that patients really race), book it and pay as above (a card on file after the
   first time: the booking answer is then already paid, or 402 declined). Afterwards, read
   from the database and the processor: overlapping active appointments (must be 0), held
   appointments left (0), deposits paid = bookings booked = PaymentIntents that succeeded at
   the processor, every failed deposit's hold released, and every slot a failed payment held
   and nobody else booked since is booked again by a fresh patient (201).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.booking_contention import (
    ACTIVE,
    PROJECT_DIR,
    Server,
    connect,
    drop_database,
    make_database,
    overlapping_pairs,
    prepare_in_subprocess,
    write_world,
)

BENCH_DATABASE = "sciaticare_bench_deposit"
SECRET_KEY = "sk_test_sciaticare_local"  # noqa: S105 - tests/stripe.py's: a local processor, no real key
PUBLISHABLE_KEY = "pk_test_sciaticare_local"
CARD = "4242424242424242"
CARD_DECLINED_ON_CHARGE = "4000000000000341"
RACE_FRONT = 3  # racing patients pick among the first slots offered


# --- The local processor -------------------------------------------------------------------


class Processor:
    """localstripe on a free loopback port until the block ends, started as tests/stripe.py
    starts it."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Processor:
        beside = Path(sys.executable).with_name("localstripe")
        program = str(beside) if beside.exists() else "localstripe"
        self.process = subprocess.Popen(  # noqa: S603 - a fixed local program
            [program, "--port", str(self.port), "--from-scratch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                self.call("GET", "/v1/customers")
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def environment(self) -> dict[str, str]:
        """What the app is told about its processor (as tests/stripe.py sets it)."""
        return {
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
            "STRIPE_WEBHOOK_SECRET": "whsec_sciaticare_local",
            "STRIPE_API_BASE": self.url,
            "STRIPE_JS_URL": f"{self.url}/js.stripe.com/v3/",
        }

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310
        request.add_header("Authorization", f"Bearer {SECRET_KEY}")
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            return json.loads(answer.read() or b"null")

    def confirm_setup(self, client_secret: str, number: str) -> dict[str, Any]:
        """What Stripe.js's confirmCardSetup does in the browser: the card's number goes to
        the processor, never to our server."""
        setup_intent = client_secret.split("_secret_")[0]
        answer: dict[str, Any] = self.call(
            "POST",
            f"/v1/setup_intents/{setup_intent}/confirm",
            {
                "key": PUBLISHABLE_KEY,
                "client_secret": client_secret,
                "use_stripe_sdk": True,
                "payment_method_data": {
                    "type": "card",
                    "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
                    "billing_details": {},
                },
            },
        )
        return answer

    def succeeded_intents(self) -> int:
        """PaymentIntents the processor says succeeded (every page of the list)."""
        found, after = 0, None
        while True:
            query = "?limit=100" + (f"&starting_after={after}" if after else "")
            page = self.call("GET", f"/v1/payment_intents{query}")
            found += sum(1 for intent in page["data"] if intent["status"] == "succeeded")
            if not page.get("has_more") or not page["data"]:
                return found
            after = page["data"][-1]["id"]


# --- The world -----------------------------------------------------------------------------


def write_deposit_world(groups: dict[str, int], patients: int) -> dict[str, Any]:
    """booking_contention's world, its therapists split into the plain clinic (no payment
    policy) and the deposit clinic (20 % by card at booking), which also has the race
    therapists."""
    from decimal import Decimal

    from django.db import transaction

    from sciaticare.billing.models import PaymentPolicy
    from sciaticare.directory.models import Clinic, Location, TherapistLocation, TherapistProfile
    from sciaticare.scheduling.models import WorkingHours

    world = write_world(sum(groups.values()), patients)
    therapists = iter(world.pop("therapists"))
    world.update({name: [next(therapists) for _ in range(count)] for name, count in groups.items()})
    with transaction.atomic():
        plain = Location.objects.get()
        plain.clinic.name = "Plain clinic"
        plain.clinic.save(update_fields=["name"])
        clinic = Clinic.objects.create(name="Deposit clinic")
        location = Location.objects.create(
            clinic=clinic,
            name="Centre",
            address="2 Main Street",
            latitude=51.5,
            longitude=-0.12,
            time_zone="Europe/London",
        )
        moved = [t["id"] for name in ("deposit", "race") for t in world[name]]
        TherapistLocation.objects.filter(therapist_id__in=moved).update(location=location)
        WorkingHours.objects.filter(therapist_id__in=moved).update(location=location)
        for profile in TherapistProfile.objects.filter(pk__in=moved):
            profile.clinics.set([clinic])
        PaymentPolicy.objects.create(
            clinic=clinic,
            currency="GBP",
            deposit="percent",
            deposit_percent=Decimal(20),
            late_cancel_fee=Decimal("20.00"),
            no_show_fee=Decimal("30.00"),
            pay_at_booking=True,
            legal_name="Deposit Clinic Ltd",
            address="2 Main Street, London",
        )
    return world


# --- Booking, as a patient's client does it -----------------------------------------------


@dataclass
class Booked:
    """What one booking got: the final outcome and the time of each step (ms)."""

    outcome: str  # booked, declined, taken (409), or the unexpected status
    steps: dict[str, float] = field(default_factory=dict)
    appointment: int | None = None


def _timed(steps: dict[str, float], name: str, call: Any) -> Any:
    started = time.perf_counter()
    try:
        return call()
    finally:
        steps[name] = (time.perf_counter() - started) * 1000.0


def book(
    server: Server,
    processor: Processor,
    token: str,
    therapist: dict[str, int],
    start: str,
    card: str,
) -> Booked:
    """Book `start` with `therapist` and pay its deposit if the clinic asks for one."""
    steps: dict[str, float] = {}
    status, body = _timed(
        steps,
        "book",
        lambda: server.request(
            "POST",
            "/api/v1/appointments",
            {"therapist": therapist["id"], "service": therapist["service"], "start": start},
            token=token,
        ),
    )
    if status == 409:
        code = json.loads(body).get("code")
        return Booked("taken" if code == "slot_taken" else f"409 {code}", steps)
    if status == 402:
        return Booked("declined", steps)
    if status != 201:
        return Booked(f"book {status}", steps)
    answer = json.loads(body)
    payment = answer.get("payment")
    if answer["status"] == "booked":
        return Booked("booked", steps, answer["id"])
    if payment is None or payment["status"] != "requires_action":
        return Booked(f"held, payment {payment}", steps, answer["id"])
    setup = _timed(steps, "card", lambda: processor.confirm_setup(payment["client_secret"], card))
    if setup.get("status") != "succeeded":
        return Booked(f"setup {setup.get('status')}", steps, answer["id"])
    status, body = _timed(
        steps,
        "pay",
        lambda: server.request(
            "POST",
            f"/api/v1/payments/{payment['id']}/card",
            {"setup_intent": setup["id"]},
            token=token,
        ),
    )
    if status == 402:
        return Booked("declined", steps, answer["id"])
    if status == 200 and json.loads(body)["appointment_status"] == "booked":
        return Booked("booked", steps, answer["id"])
    return Booked(f"pay {status} {body[:200]!r}", steps, answer["id"])


def offered(server: Server, therapist: dict[str, int]) -> list[str]:
    status, body = server.request("GET", f"/api/v1/therapists/{therapist['id']}/slots")
    if status != 200:
        raise RuntimeError(f"slots: {status} {body[:300]!r}")
    return [slot["start"] for slot in json.loads(body)]


# --- 1. Latency ----------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _slots_of(server: Server, therapists: list[dict[str, int]]) -> list[tuple[dict[str, int], str]]:
    """Every therapist's offered slots that do not overlap one another (the list offers every
    15 minutes: a session and its buffer take 75), therapist by therapist, leaving out the next
    6 hours (the 2 h notice must not run out while the run lasts)."""
    soon = datetime.now(UTC) + timedelta(hours=6)
    laid_out = []
    for t in therapists:
        after = soon
        for start in offered(server, t):
            at = datetime.fromisoformat(start)
            if at >= after:
                laid_out.append((t, start))
                after = at + timedelta(minutes=75)
    return laid_out


def latency(
    server: Server, processor: Processor, world: dict[str, Any], bookings: int
) -> dict[str, list[float]]:
    """Each of `bookings` patients in turn: a plain booking, a deposit booking with a new card,
    then one with the card now on file (interleaved: the three kinds see the same machine).
    The same patient's three sessions are at three different times (slot 3i, 3i+1, 3i+2 of
    lists laid out alike)."""
    plain = _slots_of(server, world["plain"])
    deposit = _slots_of(server, world["deposit"])
    if min(len(plain), len(deposit)) < 3 * bookings:
        raise RuntimeError(
            f"{len(plain)} / {len(deposit)} slots for {3 * bookings}: more therapists"
        )
    samples: dict[str, list[float]] = {
        k: [] for k in ("plain", "hold", "card", "pay", "server", "saved")
    }
    tokens = world["tokens"]
    for i in range(bookings):
        therapist, start = plain[3 * i]
        got = book(server, processor, tokens[i], therapist, start, CARD)
        if got.outcome != "booked":
            raise RuntimeError(f"plain booking: {got.outcome}")
        samples["plain"].append(got.steps["book"])
        therapist, start = deposit[3 * i + 1]
        got = book(server, processor, tokens[i], therapist, start, CARD)
        if got.outcome != "booked" or "pay" not in got.steps:
            raise RuntimeError(f"deposit booking, new card: {got.outcome}")
        samples["hold"].append(got.steps["book"])
        samples["card"].append(got.steps["card"])
        samples["pay"].append(got.steps["pay"])
        samples["server"].append(got.steps["book"] + got.steps["pay"])
        therapist, start = deposit[3 * i + 2]
        got = book(server, processor, tokens[i], therapist, start, CARD)
        if got.outcome != "booked" or "pay" in got.steps:
            raise RuntimeError(f"deposit booking, card on file: {got.outcome}")
        samples["saved"].append(got.steps["book"])
    return samples


# --- 2. Contention -------------------------------------------------------------------------


@dataclass
class Race:
    outcomes: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # server's share of a paid booking
    stuck: int = 0
    elapsed: float = 0.0


def race(
    server: Server,
    processor: Processor,
    world: dict[str, Any],
    tokens: list[str],
    declined: int,
    seconds: float,
) -> Race:
    """Every token a client of its own; the first `declined` pay with the declined card."""
    result = Race()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(n: int, token: str) -> None:
        rng = random.Random(n)
        card = CARD_DECLINED_ON_CHARGE if n < declined else CARD
        while time.monotonic() < deadline:
            therapist = rng.choice(world["race"])
            try:
                # Not the first hour past the notice: every slot raced for stays bookable
                # until the slots failed payments left are booked again at the end.
                soon = datetime.now(UTC) + timedelta(hours=3)
                slots = [s for s in offered(server, therapist) if datetime.fromisoformat(s) > soon]
                if not slots:
                    continue
                got = book(
                    server, processor, token, therapist, rng.choice(slots[:RACE_FRONT]), card
                )
            except (OSError, RuntimeError) as error:
                with lock:
                    result.errors.append(repr(error))
                continue
            with lock:
                result.outcomes[got.outcome] += 1
                if got.outcome == "booked":
                    result.latencies.append(got.steps["book"] + got.steps.get("pay", 0.0))

    began = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(n, t), daemon=True) for n, t in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()) + 60.0)
    result.elapsed = time.monotonic() - began
    result.stuck = sum(thread.is_alive() for thread in threads)
    return result


@dataclass
class Books:
    """What the database says of the race therapists' calendars and deposits."""

    booked: int
    held: int
    paid: int
    failed: int
    failed_still_active: int
    failed_slots: list[tuple[int, int, str]]  # therapist, service, start: free again
    failed_rebooked: int  # slots a failed payment held, booked since by a paid booking


def read_books(url: str, world: dict[str, Any]) -> Books:
    ids = ",".join(str(int(t["id"])) for t in world["race"])
    service = {t["id"]: t["service"] for t in world["race"]}
    with connect(url) as conn:

        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        deposits = f"""
            FROM billing_payment p JOIN scheduling_appointment a ON a.id = p.appointment_id
           WHERE a.therapist_id IN ({ids}) AND p.purpose = 'session'"""
        rebooked = one(
            f"""SELECT count(*) FROM (SELECT DISTINCT a.therapist_id, a.start {deposits}
                AND p.status = 'failed' AND EXISTS (
                    SELECT 1 FROM scheduling_appointment b
                     WHERE b.therapist_id = a.therapist_id AND b.status = 'booked'
                       AND b.start < a.busy_until AND a.start < b.busy_until)) AS s"""
        )
        free_again = conn.execute(
            f"""SELECT DISTINCT a.therapist_id, a.start {deposits} AND p.status = 'failed'
                AND NOT EXISTS (SELECT 1 FROM scheduling_appointment b
                                 WHERE b.therapist_id = a.therapist_id AND b.status IN {ACTIVE}
                                   AND b.start < a.busy_until AND a.start < b.busy_until)"""
        ).fetchall()
        return Books(
            booked=one(
                f"SELECT count(*) FROM scheduling_appointment WHERE therapist_id IN ({ids}) "
                "AND status = 'booked'"
            ),
            held=one(
                f"SELECT count(*) FROM scheduling_appointment WHERE therapist_id IN ({ids}) "
                "AND status = 'held'"
            ),
            paid=one(f"SELECT count(*) {deposits} AND p.status = 'succeeded'"),
            failed=one(f"SELECT count(*) {deposits} AND p.status = 'failed'"),
            failed_still_active=one(
                f"SELECT count(*) {deposits} AND p.status = 'failed' AND a.status IN {ACTIVE}"
            ),
            failed_rebooked=rebooked,
            failed_slots=[(int(t), int(service[int(t)]), _iso(start)) for t, start in free_again],
        )


def _iso(start: Any) -> str:
    if isinstance(start, str):  # SQLite keeps its datetimes as text, in UTC
        start = datetime.fromisoformat(start)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    return str(start.astimezone(UTC).isoformat())


def book_again(
    server: Server, processor: Processor, tokens: list[str], slots: list[tuple[int, int, str]]
) -> Counter[str]:
    """Each slot a failed payment held and nobody booked since, booked and paid by a fresh
    patient (one per slot: their own sessions never clash); of two such slots that overlap
    (failed holds at 10:00 and 10:15), the first."""
    got: Counter[str] = Counter()
    apart: list[tuple[int, int, str]] = []  # two failed holds may overlap: book the first
    for slot in sorted(slots):
        if (
            apart
            and apart[-1][0] == slot[0]
            and datetime.fromisoformat(slot[2])
            < datetime.fromisoformat(apart[-1][2]) + timedelta(minutes=75)
        ):
            continue
        apart.append(slot)
    for (therapist, service, start), token in zip(apart, tokens, strict=False):
        got[
            book(
                server, processor, token, {"id": therapist, "service": service}, start, CARD
            ).outcome
        ] += 1
    return got


# --- The run -------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    base_url = os.environ.get("DATABASE_URL", "")
    postgres = base_url.startswith(("postgres://", "postgresql://"))
    var_dir = PROJECT_DIR / "var" / "bench" / "deposit"
    var_dir.mkdir(parents=True, exist_ok=True)
    per_group = math.ceil(3 * args.bookings / 130)  # 11 sessions a day for 14 days, less today
    groups = {"plain": per_group, "deposit": per_group, "race": args.race_therapists}
    checkers = 200  # fresh patients who book the slots failed payments left free
    patients = args.bookings + args.clients + checkers
    started = time.perf_counter()
    url = make_database(
        BENCH_DATABASE, postgres_url=base_url if postgres else None, sqlite_dir=var_dir
    )
    try:
        world = prepare_in_subprocess(
            "bench.booking_deposit",
            ["--patients", str(patients), "--groups", json.dumps(groups)],
            url,
            var_dir,
            timeout=900,
        )
        print(
            f"Database {BENCH_DATABASE} migrated and filled in {time.perf_counter() - started:.0f} s."
        )
        tokens = world["tokens"]
        racers = tokens[args.bookings : args.bookings + args.clients]
        spare = tokens[args.bookings + args.clients :]
        declined = round(args.declined * args.clients)
        with Processor() as processor:
            server = Server(url, var_dir, workers=args.workers, threads=args.threads)
            server.env.update(processor.environment())
            with server:
                warm = world["tokens"][-1]  # every worker serves a few requests first
                for _ in range(4 * args.workers):
                    server.request("GET", f"/api/v1/therapists/{world['plain'][0]['id']}/slots")
                    server.request("GET", "/api/v1/appointments", token=warm)
                load_before = os.getloadavg()
                samples = latency(server, processor, world, args.bookings)
                load_latency = os.getloadavg()
                raced = race(server, processor, world, racers, declined, args.seconds)
                load_race = os.getloadavg()
                books = read_books(url, world)
                again = book_again(server, processor, spare, books.failed_slots[: len(spare)])
                pairs = overlapping_pairs(url)
                after = read_books(url, world)
            intents = processor.succeeded_intents()
        with connect(url) as conn:
            payments_paid = int(
                conn.execute(
                    "SELECT count(*) FROM billing_payment WHERE status = 'succeeded'"
                ).fetchone()[0]
            )
    finally:
        if postgres:
            drop_database(base_url, BENCH_DATABASE)

    database = "postgresql" if postgres else "sqlite"
    print(f"\nBooking with a deposit beside booking without ({database})")
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads, localstripe, one client; "
        f"{os.cpu_count()} cores shared with the client and the processor; "
        f"{datetime.now(UTC).date().isoformat()}; load average {load_before[0]:.2f} before, "
        f"{load_latency[0]:.2f} after"
    )
    print(f"{args.bookings} patients: one plain booking and two deposit bookings each")
    header = f"{'measured (ms, as the client sees it)':<58} {'p50':>7} {'p95':>7}"
    print(header)
    print("-" * len(header))
    for label, key in (
        ("booking without a deposit: POST appointments (booked)", "plain"),
        ("with a deposit, new card: POST appointments (held)", "hold"),
        ("   the card confirmed at the processor (Stripe.js's part)", "card"),
        ("   POST payments/{id}/card (card kept, charged, booked)", "pay"),
        ("   our server's share: the two POSTs", "server"),
        ("with a deposit, card on file: POST appointments (paid)", "saved"),
    ):
        p50, p95 = percentiles(samples[key])
        print(f"{label:<58} {p50:>7.1f} {p95:>7.1f}")

    print(
        f"\nContention with deposits on: {args.clients} patients ({declined} with a card declined "
        f"when charged) racing for the first {RACE_FRONT} slots of {args.race_therapists} "
        f"therapists, {args.seconds:g} s; load average {load_race[0]:.2f} at the end"
    )
    outcomes = ", ".join(f"{k} {v:,}" for k, v in raced.outcomes.most_common())
    print(f"client outcomes: {outcomes}; connection errors {len(raced.errors)}")
    if raced.latencies:
        p50, p95 = percentiles(raced.latencies)
        print(
            f"paid bookings: {len(raced.latencies) / raced.elapsed:.1f}/s; server's share p50 "
            f"{p50:.0f} ms, p95 {p95:.0f} ms"
        )
    print(
        f"database: {books.booked:,} booked, {books.held} still held; deposits {books.paid:,} "
        f"paid, {books.failed:,} failed, of them {books.failed_still_active} still holding a slot"
    )
    print(
        f"slots a failed payment held: {books.failed_rebooked:,} booked and paid since by "
        f"another racer, {len(books.failed_slots)} left free, then booked by a fresh patient: "
        f"{dict(again) or 'none to book'}"
    )
    print(
        f"overlapping active pairs: {pairs}; payments succeeded {payments_paid:,}, PaymentIntents "
        f"succeeded at the processor {intents:,}"
    )
    problems = []
    if pairs:
        problems.append(f"{pairs} overlapping pairs")
    if books.held or books.failed_still_active:
        problems.append(f"{books.held} held, {books.failed_still_active} failed still active")
    if books.booked != books.paid or raced.outcomes["booked"] != books.booked:
        problems.append(
            f"booked {books.booked} ≠ paid {books.paid} (clients saw {raced.outcomes['booked']})"
        )
    if again["booked"] != sum(again.values()):
        problems.append(f"slots freed by failed payments not bookable again: {dict(again)}")
    if after.booked != books.booked + again["booked"]:
        problems.append("re-booking changed the count unexpectedly")
    if payments_paid != intents:
        problems.append(f"{payments_paid} payments recorded, {intents} taken by the processor")
    if raced.stuck or raced.errors or not raced.outcomes["declined"]:
        problems.append(f"{raced.stuck} clients stuck, errors {raced.errors[:3]}")
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command")
    prep = sub.add_parser(
        "prepare", help="(internal) migrate DATABASE_URL and write the world; print it as JSON"
    )
    prep.add_argument("--patients", type=int, required=True)
    prep.add_argument("--groups", required=True, help='JSON: {"plain": n, "deposit": n, "race": n}')
    parser.add_argument("--bookings", type=int, default=100, help="patients in the latency run")
    parser.add_argument("--clients", type=int, default=20, help="racing patients")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--declined", type=float, default=0.25, help="share with a declined card")
    parser.add_argument("--race-therapists", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (2–4 on 2 cores)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        import django

        django.setup()
        print(json.dumps(write_deposit_world(json.loads(args.groups), args.patients)))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
