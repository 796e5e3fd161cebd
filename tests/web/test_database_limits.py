"""The web process limits its statements and lock waits on PostgreSQL; management commands and
db_worker (migrations, backups, rebuilds) do not; every process gives up connecting after a few
seconds, and prepares the statements its connection repeats unless told not to (settings.py,
docs/deploy.md "When the database is away or slow"). The web process also freezes what its
start-up made out of the garbage collector's full collections (wsgi.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# No connection is made: the settings only say how one would be.
URL = "postgres://sciaticare@127.0.0.1:9/sciaticare"
SHOW = (
    "import json; from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
)
WEB_LIMITS = (
    "-c statement_timeout=5000 -c lock_timeout=2000 -c idle_in_transaction_session_timeout=30000"
)
# Every process prepares the statements its connection repeats, unless told not to.
PREPARED = {"server_side_binding": True, "prepare_threshold": 5}


def _options(*command: str, **env: str) -> Any:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"SCIATICARE_PROCESS", "DATABASE_URL"}
    }
    environment.update({"DATABASE_URL": URL, "PYTHONPATH": str(ROOT / "src"), **env})
    done = subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _served_by(entry: str, **env: str) -> dict[str, Any]:
    """The options of a process that loaded the settings through wsgi.py or asgi.py."""
    return _options("-c", f"import sciaticare.{entry}; {SHOW}", **env)


@pytest.mark.parametrize("entry", ["wsgi", "asgi"])
def test_the_web_process_limits_statements_lock_waits_and_idle_transactions(entry):
    assert _served_by(entry) == {"connect_timeout": 3, **PREPARED, "options": WEB_LIMITS}


def test_a_management_command_has_no_statement_or_lock_limit():
    # migrate, backup, refresh_outcomes, db_worker: all start from manage.py.
    options = _options("manage.py", "shell", "-c", SHOW)
    assert options == {"connect_timeout": 3, **PREPARED}


def test_each_limit_is_set_by_its_variable_and_zero_leaves_it_out():
    options = _served_by(
        "wsgi",
        DATABASE_STATEMENT_TIMEOUT_MS="800",
        DATABASE_LOCK_TIMEOUT_MS="0",
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS="0",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert options == {"connect_timeout": 2, **PREPARED, "options": "-c statement_timeout=800"}


def test_behind_pgbouncer_no_startup_options_are_sent_and_nothing_is_prepared():
    # PgBouncer in transaction mode refuses `options`: the limits go on the web's role instead;
    # and the next transaction may get a server connection that never prepared a statement.
    options = _served_by(
        "wsgi",
        DATABASE_STATEMENT_TIMEOUT_MS="0",
        DATABASE_LOCK_TIMEOUT_MS="0",
        DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS="0",
        DATABASE_PREPARED_STATEMENTS="0",
    )
    assert options == {"connect_timeout": 3}


def test_options_given_in_the_url_are_kept():
    options = _served_by(
        "wsgi", DATABASE_URL=f"{URL}?options=-c%20search_path%3Dcare&connect_timeout=7"
    )
    assert options["connect_timeout"] == 7  # the URL's own wins
    assert options["options"] == f"-c search_path=care {WEB_LIMITS}"


def test_the_web_process_freezes_what_start_up_made():
    # A full collection then walks only what requests made since: a 130 ms stall of the worker
    # before (docs/benchmarks.md); the collector still collects.
    frozen, urls_loaded, collecting = _options(
        "-c",
        "import gc, json, sys; import sciaticare.wsgi; print(json.dumps("
        "[gc.get_freeze_count(), 'sciaticare.urls' in sys.modules, gc.isenabled()]))",
    )
    assert urls_loaded
    assert frozen > 50_000  # the app's objects, not a handful
    assert collecting
