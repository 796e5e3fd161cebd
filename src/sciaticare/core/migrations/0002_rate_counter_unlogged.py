"""The rate counters skip the write-ahead log on PostgreSQL (core/ratelimits.py): a crash
empties the table, which only starts every client's count again, and a count's commit waits
for no disk flush. Replicas do not carry the table; only the primary counts. SQLite has no
such tables and keeps it as it is."""

from django.db import migrations


def unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_ratecounter SET LOGGED")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_rate_counter")]

    operations = [migrations.RunPython(unlogged, logged)]
