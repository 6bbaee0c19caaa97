"""Make revision history append-only in the database itself: no UPDATE of a revision."""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER reviews_revision_append_only BEFORE UPDATE ON reviews_revision
BEGIN SELECT RAISE(ABORT, 'revisions are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS reviews_revision_append_only;"

POSTGRES_UP = """
CREATE FUNCTION reviews_revision_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'revisions are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reviews_revision_append_only BEFORE UPDATE ON reviews_revision
FOR EACH ROW EXECUTE FUNCTION reviews_revision_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS reviews_revision_append_only ON reviews_revision;
DROP FUNCTION IF EXISTS reviews_revision_append_only();
"""


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
