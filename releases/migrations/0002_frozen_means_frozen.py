"""Frozen means frozen, in the database itself.

- releases_releaseitem and releases_releasefile: no UPDATE, no DELETE, and no INSERT once the
  release is sealed;
- releases_release: no DELETE; once sealed, only `status` (frozen -> deprecated) and `access`
  may change, and a release cannot be unsealed.
"""

from django.db import migrations

RELEASE_CONTENT = (
    "benchmark_id", "name", "version", "description", "license", "filters", "manifest",
    "changelog", "warnings", "previous_id", "frozen_by_id", "frozen_at",
)


def _sqlite_changed() -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in RELEASE_CONTENT)


def _postgres_changed() -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in RELEASE_CONTENT)


SQLITE_UP = [
    *[
        f"""CREATE TRIGGER releases_{table}_no_{action} BEFORE {action.upper()} ON releases_{table}
        BEGIN SELECT RAISE(ABORT, 'a frozen release cannot be changed ({table} {action})'); END;"""
        for table in ("releaseitem", "releasefile")
        for action in ("update", "delete")
    ],
    *[
        f"""CREATE TRIGGER releases_{table}_no_insert BEFORE INSERT ON releases_{table}
        WHEN (SELECT sealed FROM releases_release WHERE id = NEW.release_id)
        BEGIN SELECT RAISE(ABORT, 'a frozen release cannot be changed ({table} insert)'); END;"""
        for table in ("releaseitem", "releasefile")
    ],
    """CREATE TRIGGER releases_release_no_delete BEFORE DELETE ON releases_release
    BEGIN SELECT RAISE(ABORT, 'a release cannot be deleted; deprecate it'); END;""",
    f"""CREATE TRIGGER releases_release_frozen BEFORE UPDATE ON releases_release
    WHEN OLD.sealed AND (NOT NEW.sealed OR {_sqlite_changed()}
        OR (OLD.status = 'deprecated' AND NEW.status <> 'deprecated'))
    BEGIN SELECT RAISE(ABORT, 'a frozen release cannot be changed'); END;""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "releases_releaseitem_no_update", "releases_releaseitem_no_delete",
        "releases_releasefile_no_update", "releases_releasefile_no_delete",
        "releases_releaseitem_no_insert", "releases_releasefile_no_insert",
        "releases_release_no_delete", "releases_release_frozen",
    )
]

POSTGRES_UP = [
    """CREATE FUNCTION releases_snapshot_frozen() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'a frozen release cannot be changed (% %)', TG_TABLE_NAME, lower(TG_OP);
    END;
    $$ LANGUAGE plpgsql;""",
    # Inserts are checked once per statement (a freeze COPYs 100,000 rows at a time).
    """CREATE FUNCTION releases_snapshot_sealed() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n JOIN releases_release r ON r.id = n.release_id
                   WHERE r.sealed) THEN
            RAISE EXCEPTION 'a frozen release cannot be changed (% insert)', TG_TABLE_NAME;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;""",
    *[
        statement
        for table in ("releaseitem", "releasefile")
        for statement in (
            f"""CREATE TRIGGER releases_{table}_frozen BEFORE UPDATE OR DELETE
            ON releases_{table} FOR EACH ROW EXECUTE FUNCTION releases_snapshot_frozen();""",
            f"""CREATE TRIGGER releases_{table}_sealed AFTER INSERT ON releases_{table}
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION releases_snapshot_sealed();""",
        )
    ],
    f"""CREATE FUNCTION releases_release_frozen() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'a release cannot be deleted; deprecate it';
        END IF;
        IF OLD.sealed AND (NOT NEW.sealed OR {_postgres_changed()}
                OR (OLD.status = 'deprecated' AND NEW.status <> 'deprecated')) THEN
            RAISE EXCEPTION 'a frozen release cannot be changed';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER releases_release_frozen BEFORE UPDATE OR DELETE ON releases_release
    FOR EACH ROW EXECUTE FUNCTION releases_release_frozen();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS releases_releaseitem_frozen ON releases_releaseitem;",
    "DROP TRIGGER IF EXISTS releases_releasefile_frozen ON releases_releasefile;",
    "DROP TRIGGER IF EXISTS releases_releaseitem_sealed ON releases_releaseitem;",
    "DROP TRIGGER IF EXISTS releases_releasefile_sealed ON releases_releasefile;",
    "DROP FUNCTION IF EXISTS releases_snapshot_sealed();",
    "DROP TRIGGER IF EXISTS releases_release_frozen ON releases_release;",
    "DROP FUNCTION IF EXISTS releases_snapshot_frozen();",
    "DROP FUNCTION IF EXISTS releases_release_frozen();",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_UP if vendor == "postgresql" else SQLITE_UP if vendor == "sqlite" else []:
        schema_editor.execute(statement, params=None)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRES_DOWN if vendor == "postgresql" else SQLITE_DOWN if vendor == "sqlite" else []:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("releases", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
