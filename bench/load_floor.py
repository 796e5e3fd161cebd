"""The SQL floor of each kind of bench/load.py's mix beside its service time: the statements one
request sends, run again on their own (the database's share of the request, round trips
included), and the same request sent to the app server.

Run by bench/load.py in a subprocess with Django set up on the bench database, while the app
server serves (``python -m bench.load_floor <world.json> <port>``); prints one JSON object:
``floor`` and ``service``, each kind → p50 ms.

Each of ``PAIRS`` times per kind, one request of the mix is drawn and:

1. made in process through Django's test client inside a transaction that is rolled back, so
   the database is left as it was, its statements captured; what it left to run after its
   commit (a booking's hooks: its mail, webhook and calendar tasks) is run there too, as the
   server runs it after the response is made, since those statements are part of its cost;
2. its statements replayed, in a transaction rolled back: the floor;
3. sent to the server, one client and nothing else running: the service time.

Only requests that did their work count (200 or 201 in process and from the server: a booking
made, not refused). The floor and the service time of the same request are measured in the
same moments, so a machine whose speed drifts from one second to the next (its host's other
guests) moves both alike. Measured a minute apart on one such machine, a floor once came out
above the service time of its kind (docs/benchmarks.md, 2026-12-07). A GET carries a query
parameter of its own (``pair``), which the public API's kept answers are never found for
(core/kept_answers.py): the server computes it, as the capture did.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path
from typing import Any

PAIRS = 60


def floors(world: dict[str, Any], port: int) -> dict[str, dict[str, float]]:
    from django.db import connection, transaction
    from django.test import Client

    from bench.load import KINDS, Traffic
    from bench.scheduling_slots import captured_sql, percentiles

    def replay(statements: list[tuple[str, Any]]) -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description is not None:  # writes without RETURNING have no rows
                    cursor.fetchall()

    client = Client(HTTP_HOST="127.0.0.1")
    traffic = Traffic(port, world)
    rng = random.Random(19)

    def send(method: str, path: str, body: Any, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "GET":
            return client.get(path, headers=headers)
        return client.post(path, json.dumps(body), content_type="application/json", headers=headers)

    for _ in range(40):  # slots to book, and every import and cache warm
        method, path, body, token, therapist = traffic.request("slots", rng)
        traffic.remember_slots(therapist or 0, send(method, path, body, token).content)
    floor: dict[str, list[float]] = {kind: [] for kind in KINDS}
    served: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for number, kind in enumerate(kind for kind in KINDS for _ in range(PAIRS)):
        method, path, body, token, _ = traffic.request(kind, rng)
        if method == "GET":
            path += f"{'&' if '?' in path else '?'}pair={number}"
        with transaction.atomic(), captured_sql() as statements:
            waiting = len(connection.run_on_commit)
            answered = send(method, path, body, token).status_code
            for pending in connection.run_on_commit[waiting:]:
                pending[1]()  # the hook; rolled back with the rest
            transaction.set_rollback(True)
        if answered not in (200, 201):  # a refusal's statements may end in an error caught
            continue
        with transaction.atomic():
            started = time.perf_counter()
            replay(statements)
            replayed = (time.perf_counter() - started) * 1000.0
            transaction.set_rollback(True)
        began = time.monotonic()
        status, _ = traffic.exchange(method, path, body, token)
        if status in (200, 201):
            floor[kind].append(replayed)
            served[kind].append((time.monotonic() - began) * 1000.0)
    return {
        "floor": {kind: percentiles(ms)[0] for kind, ms in floor.items() if ms},
        "service": {kind: percentiles(ms)[0] for kind, ms in served.items() if ms},
    }


def main() -> int:
    import django

    django.setup()
    world = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps(floors(world, int(sys.argv[2]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
