"""The database refuses to change a signed note or any amendment, whatever code path tries.

Signing itself is the one allowed update of a draft row (signed_at goes from NULL to a time),
so the triggers look at the OLD row: once it is signed, no UPDATE or DELETE passes. Drafts stay
editable. SQLite refuses DELETE of amendments in the model only (test teardown empties tables).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION records_refuse_signed_change() RETURNS trigger AS $$
BEGIN
    IF TG_TABLE_NAME = 'records_amendment' OR OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'signed session notes and amendments cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER records_sessionnote_frozen BEFORE UPDATE OR DELETE ON records_sessionnote
    FOR EACH ROW EXECUTE FUNCTION records_refuse_signed_change();
CREATE TRIGGER records_amendment_frozen BEFORE UPDATE OR DELETE ON records_amendment
    FOR EACH ROW EXECUTE FUNCTION records_refuse_signed_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS records_sessionnote_frozen ON records_sessionnote;
DROP TRIGGER IF EXISTS records_amendment_frozen ON records_amendment;
DROP FUNCTION IF EXISTS records_refuse_signed_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER records_sessionnote_frozen BEFORE UPDATE ON records_sessionnote
    WHEN OLD.signed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'signed session notes cannot change'); END;""",
    """CREATE TRIGGER records_amendment_frozen BEFORE UPDATE ON records_amendment
    BEGIN SELECT RAISE(ABORT, 'amendments cannot change'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS records_sessionnote_frozen;",
    "DROP TRIGGER IF EXISTS records_amendment_frozen;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
