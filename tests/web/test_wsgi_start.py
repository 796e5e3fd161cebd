"""The web process freezes what start-up made (the URLs and every view and API behind them):
the garbage collector's full collections then walk only what requests made since (a 130 ms
stall of the worker before, docs/benchmarks.md), and it still collects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import gc, json, sys; import sciaticare.wsgi; "
    "print(json.dumps([gc.get_freeze_count(), 'sciaticare.urls' in sys.modules, gc.isenabled()]))"
)


def test_start_up_is_frozen_and_the_collector_stays_on() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "SCIATICARE_PROCESS"}
    # No connection is made at start-up: an address nothing answers on will do.
    environment.update(
        DATABASE_URL="postgres://sciaticare@127.0.0.1:9/sciaticare", PYTHONPATH=str(ROOT / "src")
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    frozen, urls_loaded, collecting = json.loads(done.stdout.strip().splitlines()[-1])
    assert urls_loaded
    assert frozen > 50_000  # the app's objects, not a handful
    assert collecting
