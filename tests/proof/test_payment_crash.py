"""No lost payment (issue 15): the real server is SIGKILLed after the processor has charged the
card and before our database records it; the reconciliation job then records the payment
exactly once, and running it again changes nothing.

gunicorn serves the app with its production settings on a database of its own (SQLite, WAL, as
in production), talking to the local processor through a relay in this test. The patient books
through the API at a clinic that takes a 20 % deposit by card, with a card kept there, so the
booking charges it at once. The relay passes the charge (`POST /v1/payment_intents`) to the
processor and holds the processor's answer back: the test polls the processor until it has
the PaymentIntent, succeeded, and then kills the whole server process group. Nothing in our
code is faked or paused; the relay only delays a network answer, as a slow network would.

Afterwards the payment is claimed and unanswered (no PaymentIntent id, still pending), the
booking held; `manage.py reconcile_payments` reads the processor's events, records the payment
once (one `billing.paid` audit row, the intent's id), books the held slot as the deposit page
would have, and a second run settles nothing.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bench.booking_contention import PROJECT_DIR, Server, make_database, server_environment
from tests.proof.test_crash import kill_server
from tests.stripe import PUBLISHABLE_KEY, SECRET_KEY, WEBHOOK_SECRET, StripeServer

pytestmark = pytest.mark.slow


class Relay(ThreadingHTTPServer):
    """Passes every request to the processor and its answer back, except that the answer to a
    new PaymentIntent (the charge) is held until `release` is set, and then dropped."""

    daemon_threads = True

    def __init__(self, target: str) -> None:
        super().__init__(("127.0.0.1", 0), _Relayed)
        self.target = target
        self.charged = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Relayed(BaseHTTPRequestHandler):
    server: Relay

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        request = urllib.request.Request(  # noqa: S310 - the local processor
            self.server.target + self.path, data=body, method=self.command
        )
        for name, value in self.headers.items():
            if name.lower() not in ("host", "content-length", "connection"):
                request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                status, payload = answer.status, answer.read()
        except urllib.error.HTTPError as refused:
            status, payload = refused.code, refused.read()
        if self.command == "POST" and self.path.split("?")[0] == "/v1/payment_intents":
            self.server.charged.set()
            self.server.release.wait(60)
            self.close_connection = True
            return  # the answer is lost with the server that waited for it
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = _relay


@pytest.fixture
def relay(stripe_server: StripeServer) -> Iterator[Relay]:
    server = Relay(stripe_server.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def _environment(url: str, folder: Path, processor: str) -> dict[str, str]:
    env = server_environment(url, folder)
    env.update(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=processor,
    )
    return env


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - this interpreter and our own modules, no shell
        [sys.executable, "-m", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip().splitlines()[-1]


def _intents(stripe_server: StripeServer) -> list[dict[str, Any]]:
    return list(stripe_server.call("GET", "/v1/payment_intents?limit=100")["data"])


def _book(port: int, world: dict[str, Any], outcome: dict[str, Any]) -> None:
    """The patient's app: the therapist's first free slot, booked (the deposit charged)."""
    therapist = world["therapist"]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", f"/api/v1/therapists/{therapist['id']}/slots")
        slots = json.loads(conn.getresponse().read())
        body = {"therapist": therapist["id"], "service": therapist["service"]}
        body["start"] = slots[0]["start"]
        conn.request(
            "POST",
            "/api/v1/appointments",
            json.dumps(body),
            {"Authorization": f"Bearer {world['token']}", "Content-Type": "application/json"},
        )
        outcome["status"] = conn.getresponse().status
    except (OSError, http.client.HTTPException) as lost:
        outcome["lost"] = repr(lost)
    finally:
        conn.close()


def test_a_charge_the_server_died_before_recording_is_recorded_once_by_reconciliation(
    stripe_server: StripeServer, relay: Relay, tmp_path: Path
) -> None:
    url = make_database("sciaticare_payment_crash", sqlite_dir=tmp_path)
    direct = _environment(url, tmp_path, stripe_server.url)
    world = json.loads(_run(direct, "tests.proof.payment_crash_world", "prepare"))
    server = Server(url, tmp_path, workers=1, threads=2)
    server.env = _environment(url, tmp_path, relay.url)
    outcome: dict[str, Any] = {}

    # Given a booking whose deposit the processor has charged, and a server killed before it
    # heard so
    with server:
        booking = threading.Thread(target=_book, args=(server.port, world, outcome), daemon=True)
        booking.start()
        assert relay.charged.wait(60), f"the server never charged:\n{server.log()}"
        deadline = time.monotonic() + 15
        while not [i for i in _intents(stripe_server) if i["status"] == "succeeded"]:
            assert time.monotonic() < deadline, "the processor never had the charge"
            time.sleep(0.05)
        kill_server(server)
    relay.release.set()
    booking.join(timeout=30)
    assert "status" not in outcome, f"the booking was answered: {outcome}"
    (intent,) = _intents(stripe_server)
    (before,) = json.loads(_run(direct, "tests.proof.payment_crash_world", "state"))["payments"]
    assert (before["status"], before["attempted"], before["processor_id"]) == ("pending", True, "")
    assert (before["audited_paid"], before["appointment_status"]) == (0, "held")
    assert intent["metadata"] == {"payment": str(before["id"])}

    # When the reconciliation job runs, twice
    reconcile = ("django", "reconcile_payments", "--unanswered-for", "0")
    first = _run(direct, *reconcile)
    second = _run(direct, *reconcile)

    # Then the payment is recorded once, with the processor's intent, and the slot booked
    assert (first, second) == ("1 payment(s) settled.", "0 payment(s) settled.")
    (after,) = json.loads(_run(direct, "tests.proof.payment_crash_world", "state"))["payments"]
    assert after == {
        **before,
        "status": "succeeded",
        "processor_id": intent["id"],
        "appointment_status": "booked",
        "audited_paid": 1,
    }
    assert after["amount"] == f"{intent['amount'] / 100:.2f}"
    assert len(_intents(stripe_server)) == 1  # nothing was charged again
