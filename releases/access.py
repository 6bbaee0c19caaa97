"""Who may download a frozen release: curators only, named users, or everyone.

Access is the one thing about a frozen release that may change (its content never does). It
may not open the keys to the people answering them blind: while a baseline study over the
release is open the release cannot become public, and none of the study's evaluators can be
named a reader. Both this and opening a study lock the release row, so the two cannot race.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from releases.models import Access, Release
from sciannot.accounts.models import User


class AccessRefused(ValueError):
    """An access change that would show keys to a blind evaluator; the message says why."""


def release_set_access(release: Release, access: str, readers: Iterable[User] = ()) -> Release:
    from baselines.models import Participation, StudyStatus

    if access not in Access.values:
        raise AccessRefused(f"unknown access {access!r}; use one of: {', '.join(Access.values)}")
    chosen = list(readers) if access == Access.NAMED else []
    if access == Access.NAMED and not chosen:
        raise AccessRefused("name at least one reader, or choose curators only")
    with transaction.atomic():
        locked = Release.objects.select_for_update().get(pk=release.pk)
        if not locked.sealed:
            raise AccessRefused(f"{locked.name} {locked.version} is not frozen")
        open_participations = Participation.objects.filter(
            study__release=locked, study__status=StudyStatus.OPEN
        ).select_related("study", "evaluator")
        if access == Access.PUBLIC:
            studies = sorted({p.study.name for p in open_participations})
            if studies:
                raise AccessRefused(
                    f"{locked.name} {locked.version} is under the open blind study "
                    f"{', '.join(studies)}: close it before making the release public"
                )
        blind = {p.evaluator.pk: p for p in open_participations}
        for person in chosen:
            if person.pk in blind:
                raise AccessRefused(
                    f"{person.username} is answering {locked.name} blind in the open study "
                    f"{blind[person.pk].study.name}"
                )
        locked.access = access
        locked.save(update_fields=["access"])
        locked.readers.set(chosen)
    release.refresh_from_db()
    return release
