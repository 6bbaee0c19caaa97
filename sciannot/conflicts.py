"""Refusals that clash with something that already exists (HTTP 409), and creating a row
guarded by a unique constraint so that losing a race reads like arriving second.

Two requests can both find "no such release version yet" and both insert it; the database's
unique constraint stops the second, and without this it would surface as an IntegrityError
(a 500). `create_unique` turns it into the same refusal the sequential check gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, connection, transaction

T = TypeVar("T")


class Conflict(Exception):
    """Mixed into a domain error whose cause is an existing object: pages and the API answer
    409 (Conflict) for it instead of 400."""


def create_unique(create: Callable[[], T], *, conflict: Callable[[], Exception]) -> T:
    """Run `create` in a savepoint; a unique-constraint violation raises `conflict()`."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError as exc:
        raise conflict() from exc


def status_for(exc: Exception, *, default: int = 400) -> int:
    """409 for a conflict, else `default`."""
    return 409 if isinstance(exc, Conflict) else default


def serialize_on(key: str) -> None:
    """Inside a transaction: wait for any other transaction that took the same key, until it
    ends. For a rule no unique constraint can state (one *pending* invitation per address), so
    that a check-then-create run twice at once behaves as one after the other. SQLite's
    immediate transactions already let one writer in at a time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("serialize_on() holds its lock until the transaction ends: open one")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])
