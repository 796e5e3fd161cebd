"""Backing up and restoring the whole database: SQLite's online backup API, or pg_dump and
pg_restore on PostgreSQL. Used by `manage.py backup` and `manage.py restore` (docs/backup.md)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connection

# Tables whose content is the clinical record: their checksums prove a restore is faithful.
CLINICAL_TABLES = (
    "intake_intake",
    "intake_questionnaireresponse",
    "records_sessionnote",
    "records_amendment",
    "outcomes_painentry",
    "scheduling_appointment",
    "audit_auditevent",
)


def _pg_env(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = [
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"] or "postgres",
    ]
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def backup(target: Path, *, db: dict[str, Any] | None = None) -> None:
    """Write a consistent copy of the live database to `target` while the app keeps running."""
    db = db or connection.settings_dict
    target.parent.mkdir(parents=True, exist_ok=True)
    if db["ENGINE"].endswith("sqlite3"):
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        args, env = _pg_env(db)
        subprocess.run(  # noqa: S603 - PostgreSQL's own client from the PATH, arguments from settings
            ["pg_dump", *args, "--format=custom", "--no-owner", "-f", str(target), db["NAME"]],  # noqa: S607
            check=True,
            env=env,
        )


def restore(source: Path, *, db: dict[str, Any]) -> None:
    """Replace the content of database `db` with the backup at `source`."""
    if db["ENGINE"].endswith("sqlite3"):
        origin = sqlite3.connect(source)
        destination = sqlite3.connect(db["NAME"])
        try:
            origin.backup(destination)
        finally:
            origin.close()
            destination.close()
    else:
        args, env = _pg_env(db)
        subprocess.run(  # noqa: S603
            [  # noqa: S607 - PostgreSQL's own client from the PATH
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                db["NAME"],
                str(source),
            ],
            check=True,
            env=env,
        )


def _canonical(value: Any) -> str:
    # The same value reads differently through different drivers and session time zones.
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bytes | memoryview):  # documents, PDFs, archives: by content
        return hashlib.sha256(bytes(value)).hexdigest()
    return str(value)


def fingerprint(cursor: Any, tables: list[str]) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row (ordered by primary key) for each table."""
    result: dict[str, tuple[int, str]] = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - table names from the schema
        digest = hashlib.sha256()
        count = 0
        for row in cursor.fetchall():
            digest.update(repr(tuple(_canonical(v) for v in row)).encode())
            count += 1
        result[table] = (count, digest.hexdigest())
    return result
