"""The database keeps issued invoices as they were issued, whatever code path tries.

An invoice is born a draft inside the transaction that issues it (services.invoices.issue):
its lines go in, then the one allowed update makes it issued, which the database accepts only
when the subtotal is the sum of the lines. From then on no UPDATE or DELETE of the invoice or
its lines passes; corrections are credit notes. SQLite refuses DELETE in the model only (test
teardown empties tables), as for signed session notes.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION billing_invoice_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION 'an invoice is issued from a draft';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status = 'issued' THEN
        RAISE EXCEPTION 'issued invoices cannot change; issue a credit note';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    IF NEW.status = 'issued' AND NEW.subtotal <> (
        SELECT COALESCE(SUM(amount), 0) FROM billing_invoiceline WHERE invoice_id = NEW.id
    ) THEN
        RAISE EXCEPTION 'an invoice''s subtotal is the sum of its lines';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoice_frozen BEFORE INSERT OR UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_frozen();

CREATE OR REPLACE FUNCTION billing_invoiceline_frozen() RETURNS trigger AS $$
DECLARE
    parent integer;
BEGIN
    IF TG_OP = 'DELETE' THEN parent := OLD.invoice_id; ELSE parent := NEW.invoice_id; END IF;
    IF EXISTS (SELECT 1 FROM billing_invoice WHERE id = parent AND status = 'issued')
       OR (TG_OP = 'UPDATE' AND EXISTS (
            SELECT 1 FROM billing_invoice WHERE id = OLD.invoice_id AND status = 'issued')) THEN
        RAISE EXCEPTION 'the lines of an issued invoice cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER billing_invoiceline_frozen BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_frozen();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS billing_invoice_frozen ON billing_invoice;
DROP TRIGGER IF EXISTS billing_invoiceline_frozen ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoice_frozen();
DROP FUNCTION IF EXISTS billing_invoiceline_frozen();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER billing_invoice_born_draft BEFORE INSERT ON billing_invoice
    WHEN NEW.status <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'an invoice is issued from a draft'); END;""",
    """CREATE TRIGGER billing_invoice_frozen BEFORE UPDATE ON billing_invoice
    WHEN OLD.status = 'issued'
    BEGIN SELECT RAISE(ABORT, 'issued invoices cannot change; issue a credit note'); END;""",
    """CREATE TRIGGER billing_invoice_sums BEFORE UPDATE ON billing_invoice
    WHEN NEW.status = 'issued' AND CAST(NEW.subtotal AS NUMERIC) <> (
        SELECT COALESCE(SUM(CAST(amount AS NUMERIC)), 0) FROM billing_invoiceline
        WHERE invoice_id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'an invoice''s subtotal is the sum of its lines'); END;""",
    """CREATE TRIGGER billing_invoiceline_frozen_insert BEFORE INSERT ON billing_invoiceline
    WHEN (SELECT status FROM billing_invoice WHERE id = NEW.invoice_id) = 'issued'
    BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot change'); END;""",
    """CREATE TRIGGER billing_invoiceline_frozen_update BEFORE UPDATE ON billing_invoiceline
    WHEN (SELECT status FROM billing_invoice WHERE id = OLD.invoice_id) = 'issued'
      OR (SELECT status FROM billing_invoice WHERE id = NEW.invoice_id) = 'issued'
    BEGIN SELECT RAISE(ABORT, 'the lines of an issued invoice cannot change'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS billing_invoice_born_draft;",
    "DROP TRIGGER IF EXISTS billing_invoice_frozen;",
    "DROP TRIGGER IF EXISTS billing_invoice_sums;",
    "DROP TRIGGER IF EXISTS billing_invoiceline_frozen_insert;",
    "DROP TRIGGER IF EXISTS billing_invoiceline_frozen_update;",
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
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
