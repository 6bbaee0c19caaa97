"""Fast bulk writes: PostgreSQL COPY, plain multi-row inserts elsewhere.

Used by the question import (reviews) and the freeze's snapshot rows (releases); it knows
nothing of either, so it lives at the bottom layer.

Importing 100,000 questions means well over a million rows (ten options each, spans,
revisions); the ORM's per-object overhead would dominate, so imports write tuples directly.
Must be called inside a transaction.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.db import DatabaseError, IntegrityError, connection, models


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Primary keys for `count` rows about to be inserted with explicit ids.

    PostgreSQL reserves them from the table's sequence. SQLite hands out the ids after the
    highest one in use, which stays correct because the caller inserts them before anyone
    else can write (the import holds SQLite's write lock for its whole transaction).
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write lock is held for the whole (IMMEDIATE) transaction, so the next
        # ids cannot be taken by anyone else before we insert them.
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
        highest = int(cursor.fetchone()[0])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        if row is not None:
            highest = max(highest, int(row[0]))
        return list(range(highest + 1, highest + 1 + count))


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert raw rows (values already in database form: JSON as text) into `model`'s table."""
    table = model._meta.db_table
    column_sql = ", ".join(f'"{column}"' for column in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw_cursor = cursor.cursor
            with raw_cursor.copy(f'COPY "{table}" ({column_sql}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        placeholders = ", ".join(["%s"] * len(columns))
        batch: list[Sequence[Any]] = []
        sql = f'INSERT INTO "{table}" ({column_sql}) VALUES ({placeholders})'  # noqa: S608
        for row in rows:
            batch.append(row)
            if len(batch) >= 2000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_UNESCAPE = re.compile(r"\\(.)")
_COPY_UNESCAPED = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}


def copy_text(value: str) -> str:
    """A text value escaped for a line in COPY's text format (tab-separated, no NULLs)."""
    if value.isprintable() and "\\" not in value:
        return value
    return value.translate(_COPY_ESCAPES)


def insert_copy_file(model: type[models.Model], columns: Sequence[str], handle: IO[bytes]) -> None:
    """Insert the rows of a file of `copy_line`s: on PostgreSQL its bytes go to COPY as they
    are, a megabyte at a time; elsewhere they are parsed back into rows."""
    handle.seek(0)
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        column_sql = ", ".join(f'"{column}"' for column in columns)
        with connection.cursor() as cursor:
            raw_cursor = cursor.cursor
            with raw_cursor.copy(f'COPY "{table}" ({column_sql}) FROM STDIN') as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        return

    def rows() -> Iterator[list[str]]:
        for line in handle:
            yield [
                _COPY_UNESCAPE.sub(lambda m: _COPY_UNESCAPED.get(m[1], m[1]), value)
                for value in line.decode("utf-8").removesuffix("\n").split("\t")
            ]

    insert_rows(model, columns, rows())


class BackgroundCopy:
    """`insert_copy_file` run by a helper thread on the caller's own connection (PostgreSQL;
    elsewhere it has run already). The caller must not use the connection until `wait()`,
    which re-raises the copy's error in the caller's thread."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], handle: IO[bytes]):
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if connection.vendor != "postgresql":
            insert_copy_file(model, columns, handle)
            return
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None
        table = model._meta.db_table
        column_sql = ", ".join(f'"{column}"' for column in columns)
        handle.seek(0)

        def work() -> None:
            try:
                sql = f'COPY "{table}" ({column_sql}) FROM STDIN'
                with raw.cursor() as cursor, cursor.copy(sql) as copy:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            except BaseException as exc:  # handed to the caller's thread by wait()
                self._error = exc

        self._thread = threading.Thread(target=work, name="copy-file", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            converted = _django_error(error)
            if converted is error:
                raise error
            raise converted from error


def _django_error(error: BaseException) -> BaseException:
    """A database error from a helper thread as Django would have raised it."""
    import psycopg

    if isinstance(error, psycopg.errors.IntegrityError):
        return IntegrityError(str(error))
    if isinstance(error, psycopg.Error):
        return DatabaseError(str(error))
    return error


CopyJob = tuple[type[models.Model], Sequence[str], Sequence[Sequence[Any]]]


class WritePipeline:
    """Writes batches of rows while the caller prepares the next batch.

    On PostgreSQL one background thread runs the COPYs on the request's own connection, so
    the server ingests a batch (index updates, constraint checks) while Python parses the
    next one. At most one batch is in flight, and the caller must `drain()` before it uses
    the connection itself. Elsewhere the rows are written at once.
    """

    def __init__(self) -> None:
        self.threaded = connection.vendor == "postgresql"
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def submit(self, jobs: list[CopyJob]) -> None:
        self.drain()
        if not self.threaded:
            for model, columns, rows in jobs:
                insert_rows(model, columns, rows)
            return
        connection.ensure_connection()
        raw = connection.connection
        assert raw is not None

        def work() -> None:
            try:
                with raw.cursor() as cursor:
                    for model, columns, rows in jobs:
                        column_sql = ", ".join(f'"{column}"' for column in columns)
                        sql = f'COPY "{model._meta.db_table}" ({column_sql}) FROM STDIN'
                        with cursor.copy(sql) as copy:
                            for row in rows:
                                copy.write_row(row)
            except BaseException as exc:  # handed to the caller's thread by drain()
                self._error = exc

        self._thread = threading.Thread(target=work, name="import-copy", daemon=True)
        self._thread.start()

    def drain(self) -> None:
        """Wait for the batch in flight; re-raise its error in the caller's thread."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            import psycopg

            if isinstance(error, psycopg.errors.IntegrityError):
                raise IntegrityError(str(error)) from error
            raise error
