"""Who may download a frozen release: curators only, named users, or everyone.

Access is the one thing about a frozen release that may change (its content never does). It
may not open the keys to the people answering them blind: while a blind study holding any
of the release's questions is open (over this release or any other carrying the same
questions), the release cannot become public and none of that study's evaluators can be
named a reader. Changing access, freezing a release others may download and opening a study
all lock the benchmark row first, so none of them can race another.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from releases.models import Access, Release, ReleaseItem
from sciannot.accounts.models import Role, User
from sciannot.accounts.permissions import has_role
from sciannot.seal import (
    Sealed,
    seal_check_public,
    seal_check_questions,
    seal_check_reader,
)
from videos.models import Benchmark


class AccessRefused(ValueError):
    """An access change that cannot be made; the message says why."""


class AccessSealed(Sealed, AccessRefused):
    """An access change that would show keys to an evaluator of an open blind study."""


def release_questions(release: Release) -> QuerySet[ReleaseItem, Any]:
    """The live questions a release carries (as a query of their ids)."""
    return ReleaseItem.objects.filter(release_id=release.pk).values("source_id")


def release_seal_check(*, user: Any, release: Release) -> None:
    """Refuse `user` anything of `release` that shows keys they are answering blind."""
    seal_check_questions(user=user, questions=release_questions(release), what=str(release))


def release_check_audience(*, release: Release, access: str, readers: Iterable[User]) -> None:
    """Refuse an audience that would reach an evaluator of an open study over any of the
    release's questions: everyone (public) or a named reader who is one."""
    try:
        if access == Access.PUBLIC:
            seal_check_public(questions=release_questions(release), what=str(release))
        elif access == Access.NAMED:
            for person in readers:
                seal_check_reader(
                    reader=person, questions=release_questions(release), what=release.name
                )
    except Sealed as exc:
        raise AccessSealed(str(exc.args[0]), exc.studies) from exc


def lock_benchmark(benchmark_id: int) -> None:
    """Serialise the changes that decide who sees which keys (call inside a transaction)."""
    Benchmark.objects.select_for_update().filter(pk=benchmark_id).values_list("pk").get()


def release_set_access(release: Release, access: str, readers: Iterable[User] = ()) -> Release:
    if access not in Access.values:
        raise AccessRefused(f"unknown access {access!r}; use one of: {', '.join(Access.values)}")
    chosen = list(readers) if access == Access.NAMED else []
    if access == Access.NAMED and not chosen:
        raise AccessRefused("name at least one reader, or choose curators only")
    with transaction.atomic():
        lock_benchmark(release.benchmark_id)
        locked = Release.objects.select_for_update().get(pk=release.pk)
        if not locked.sealed:
            raise AccessRefused(f"{locked.name} {locked.version} is not frozen")
        release_check_audience(release=locked, access=access, readers=chosen)
        locked.access = access
        locked.save(update_fields=["access"])
        locked.readers.set(chosen)
    release.refresh_from_db()
    return release


def may_download(user: object | None, release: Release) -> bool:
    """Whether `user` (None: nobody signed in) may download `release`: everyone a public one,
    curators any, and named readers theirs; an inactive account none but public ones."""
    if release.access == Access.PUBLIC:
        return True
    if user is None or not getattr(user, "is_active", False):
        return False
    if has_role(user, Role.CURATOR):
        return True
    pk: int = getattr(user, "pk", 0)
    return release.access == Access.NAMED and release.readers.filter(pk=pk).exists()
