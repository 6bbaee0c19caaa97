"""A release item's links to its release and its question, checked per statement.

As foreign-key constraints, a freeze's 100,000 snapshot rows were each checked, and their
question row locked, one by one at commit (two seconds of a fifteen-second freeze). Now:

- after an INSERT into releases_releaseitem, one query over all the statement's rows
  refuses the insert when a row names no release, a sealed release, or no question
  (SQLite: the same per row);
- deleting a question that is in a release is refused (the ORM's PROTECT says so first);
- deleting a release was already refused (migration 0002).
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

# SQLite rebuilds the table to change a column, dropping its triggers: 0002's are made again.
FROZEN = importlib.import_module("releases.migrations.0002_frozen_means_frozen")
SQLITE_AGAIN = [*FROZEN.SQLITE_DOWN, *FROZEN.SQLITE_UP]

POSTGRES_UP = [
    """CREATE FUNCTION releases_items_checked() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN releases_release r ON r.id = n.release_id
                   WHERE r.id IS NULL) THEN
            RAISE EXCEPTION 'a release item must belong to an existing release';
        END IF;
        IF EXISTS (SELECT 1 FROM new_rows n JOIN releases_release r ON r.id = n.release_id
                   WHERE r.sealed) THEN
            RAISE EXCEPTION 'a frozen release cannot be changed (releaseitem insert)';
        END IF;
        IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN reviews_question q ON q.id = n.source_id
                   WHERE q.id IS NULL) THEN
            RAISE EXCEPTION 'a release item must come from an existing question';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER releases_releaseitem_sealed ON releases_releaseitem;",
    """CREATE TRIGGER releases_releaseitem_sealed AFTER INSERT ON releases_releaseitem
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION releases_items_checked();""",
    """CREATE FUNCTION releases_question_released() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM releases_releaseitem WHERE source_id = OLD.id) THEN
            RAISE EXCEPTION 'question % is in a frozen release and cannot be deleted', OLD.uid;
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER releases_question_released BEFORE DELETE ON reviews_question
    FOR EACH ROW EXECUTE FUNCTION releases_question_released();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS releases_question_released ON reviews_question;",
    "DROP FUNCTION IF EXISTS releases_question_released();",
    "DROP TRIGGER IF EXISTS releases_releaseitem_sealed ON releases_releaseitem;",
    "DROP FUNCTION IF EXISTS releases_items_checked();",
    """CREATE TRIGGER releases_releaseitem_sealed AFTER INSERT ON releases_releaseitem
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION releases_snapshot_sealed();""",
]
SQLITE_UP = [
    """CREATE TRIGGER releases_releaseitem_links BEFORE INSERT ON releases_releaseitem
    WHEN NOT EXISTS (SELECT 1 FROM releases_release WHERE id = NEW.release_id)
        OR NOT EXISTS (SELECT 1 FROM reviews_question WHERE id = NEW.source_id)
    BEGIN SELECT RAISE(ABORT, 'a release item must belong to an existing release and come from an existing question'); END;""",
    """CREATE TRIGGER releases_question_released BEFORE DELETE ON reviews_question
    WHEN EXISTS (SELECT 1 FROM releases_releaseitem WHERE source_id = OLD.id)
    BEGIN SELECT RAISE(ABORT, 'a question in a frozen release cannot be deleted'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS releases_releaseitem_links;",
    "DROP TRIGGER IF EXISTS releases_question_released;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0002_frozen_means_frozen"),
        ("reviews", "0011_question_judged_version"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _run({"sqlite": SQLITE_AGAIN})),
        migrations.AlterField(
            model_name="releaseitem",
            name="release",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="items",
                to="releases.release",
            ),
        ),
        migrations.AlterField(
            model_name="releaseitem",
            name="source",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="release_items",
                to="reviews.question",
            ),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_UP, "sqlite": [*SQLITE_AGAIN, *SQLITE_UP]}),
            _run({"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}),
        ),
    ]
