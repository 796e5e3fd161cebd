"""The SQL floor of each kind of bench/load.py's mix: the statements one request of that kind
sends, run again on their own (the database's share of the request, round trips included).

Run by bench/load.py in a subprocess with Django set up on the bench database
(``python -m bench.load_floor <world.json>``); prints one JSON object, kind → p50 ms. Each
request is made in process through Django's test client inside a transaction that is rolled
back, so the database is left as it was; what it left to run after its commit (a booking's
hooks: its mail, webhook and calendar tasks) is run there too, as the server runs it after the
response is made, since those statements are part of the request's cost. Its statements are
then replayed ``RUNS`` times, each time in a transaction rolled back (a booking's insert can be
replayed as often as needed).
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

RUNS = 30


def floors(world: dict[str, Any]) -> dict[str, float]:
    from django.db import connection, transaction
    from django.test import Client

    from bench.load import KINDS, NOTICE, Traffic
    from bench.scheduling_slots import captured_sql, percentiles

    def replay(statements: list[tuple[str, Any]]) -> None:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                if cursor.description is not None:  # writes without RETURNING have no rows
                    cursor.fetchall()

    client = Client(HTTP_HOST="127.0.0.1")
    traffic = Traffic(0, world)
    rng = random.Random(19)

    def send(kind: str) -> Any:
        method, path, body, token, therapist = traffic.request(kind, rng)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if method == "GET":
            response = client.get(path, headers=headers)
        else:
            response = client.post(
                path, json.dumps(body), content_type="application/json", headers=headers
            )
        if kind == "slots" and therapist is not None:
            soon = time.time() + NOTICE
            traffic.slots[therapist] = [
                s["start"]
                for s in response.json()
                if datetime.fromisoformat(s["start"]).timestamp() > soon
            ]
        return response

    for _ in range(40):  # slots to book, and every import and cache warm
        send("slots")
    found: dict[str, float] = {}
    for kind in KINDS:
        for _ in range(20):  # a request that did its work: a booking of a slot still free
            with transaction.atomic(), captured_sql() as statements:
                waiting = len(connection.run_on_commit)
                answered = send(kind).status_code
                for pending in connection.run_on_commit[waiting:]:
                    pending[1]()  # the hook; rolled back with the rest
                transaction.set_rollback(True)
            if answered in (200, 201):
                break
        samples = []
        for _ in range(RUNS):
            with transaction.atomic():
                started = time.perf_counter()
                replay(statements)
                samples.append((time.perf_counter() - started) * 1000.0)
                transaction.set_rollback(True)
        found[kind] = percentiles(samples)[0]
    return found


def main() -> int:
    import django

    django.setup()
    world = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps(floors(world)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
