"""Backup and restore: a seeded database backed up while live, restored into a fresh one, has
the same rows in every table and the same checksum for every clinical table."""

import os
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection

from sciaticare.outcomes import services as outcomes_services
from sciaticare.web import backups
from tests.directory.factories import CredentialFactory
from tests.factories import PatientFactory
from tests.intake.factories import make_intake

pytestmark = pytest.mark.django_db(transaction=True)


def _seed():
    for _ in range(3):
        patient = PatientFactory()
        make_intake(patient)
        outcomes_services.log_pain(
            patient=patient, back_pain=5, leg_pain=6, note="after a long drive"
        )
    CredentialFactory(document=b"%PDF-1.7 a licence scan")


def test_backup_then_restore_into_a_fresh_database_keeps_every_row(tmp_path):
    _seed()
    tables = sorted(connection.introspection.table_names())
    with connection.cursor() as cursor:
        before = backups.fingerprint(cursor, tables)
    target = tmp_path / "backup.bin"

    call_command("backup", str(target))

    if connection.vendor == "sqlite":
        fresh = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.sqlite3")}
        backups.restore(target, db=fresh)
        # The same type conversions as Django's own SQLite connection.
        restored = sqlite3.connect(
            fresh["NAME"], detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
        )
        after = backups.fingerprint(restored.cursor(), tables)
        restored.close()
    else:
        import psycopg

        name = f"sciaticare_restore_{os.getpid()}"
        settings = connection.settings_dict
        admin = psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user=settings["USER"],
            dbname="postgres",
            autocommit=True,
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            backups.restore(target, db={**settings, "NAME": name})
            with psycopg.connect(
                host=settings["HOST"], port=settings["PORT"], user=settings["USER"], dbname=name
            ) as restored:
                after = backups.fingerprint(restored.cursor(), tables)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()

    assert {t: n for t, (n, _) in after.items()} == {t: n for t, (n, _) in before.items()}
    for table in backups.CLINICAL_TABLES:
        assert after[table] == before[table], table
    assert before["intake_intake"][0] == 3
    # Licence documents are rows too: the backup holds them, byte for byte.
    assert after["directory_credential"] == before["directory_credential"]
    assert before["directory_credential"][0] == 1


def test_restore_asks_before_replacing_anything(tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    target = tmp_path / "backup.bin"
    call_command("backup", str(target))
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("restore", str(target))
    with pytest.raises(CommandError, match="No backup"):
        call_command("restore", str(tmp_path / "missing.bin"), "--yes")
