"""What one request of each kind of bench/load.py's mix costs, in process: the app's CPU and
the PostgreSQL backend's CPU per request, with no server, client or queue around them.

Run:  python -m bench.request_cost [--runs 300]   (on bench/load.py's database, kept with
      ``bench.load --keep``; DATABASE_URL names it, as bench/load.py's server environment does)

The requests are the load mix's own (``load.Traffic.request``), sent through Django's WSGI
handler in this process; the app's CPU is this thread's CPU time, the database's is the
backend's, read from /proc (a server on this machine). Kinds are measured in turns, ``--runs``
each, so a busy spell falls on all alike. Run it on two checkouts of the code against the same
database to compare them (docs/benchmarks.md, "The cost of a request").
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from typing import Any

from bench.booking_contention import PROJECT_DIR


def _backend_cpu(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
    return lambda data: None


def measure(world: dict[str, Any], runs: int) -> dict[str, tuple[float, float, float]]:
    """kind → (wall p50 ms, app CPU ms, database CPU ms) per request."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench.load import KINDS, Traffic

    app = WSGIHandler()
    traffic = Traffic(0, world)
    rng = random.Random(5)

    def send(kind: str) -> None:
        method, path, body, token, _ = traffic.request(kind, rng)
        payload = json.dumps(body).encode() if body is not None else b""
        bare, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": bare,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(payload),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(payload)),
            "CONTENT_TYPE": "application/json",
        }
        if token:
            environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        b"".join(app(environ, _start_response))

    for kind in KINDS:  # imports, connections and caches warm
        for _ in range(20):
            send(kind)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    found = {}
    for kind in KINDS:
        walls = []
        app_started, db_started = time.thread_time(), _backend_cpu(pid)
        for _ in range(runs):
            started = time.perf_counter()
            send(kind)
            walls.append((time.perf_counter() - started) * 1000.0)
        app_cpu = (time.thread_time() - app_started) * 1000.0 / runs
        db_cpu = (_backend_cpu(pid) - db_started) * 1000.0 / runs
        found[kind] = (sorted(walls)[len(walls) // 2], app_cpu, db_cpu)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sciaticare.settings")
    import django

    django.setup()
    world = json.loads((PROJECT_DIR / "var" / "bench" / "load" / "world.json").read_text())
    print(f"load average before {os.getloadavg()[0]:.2f}")
    for kind, (wall, app_cpu, db_cpu) in measure(world, args.runs).items():
        print(
            f"{kind:<8} p50 {wall:6.2f} ms   app CPU {app_cpu:5.2f} ms   "
            f"PostgreSQL CPU {db_cpu:5.2f} ms a request"
        )
    print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
