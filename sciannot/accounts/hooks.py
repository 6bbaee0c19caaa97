"""What accounts need to know of the work people do in the apps above, given by those apps.

Accounts sit in the bottom layer and import no app above them. The reviews app registers,
from its `AppConfig.ready()`, which disciplines its questions use (a reviewer may cover one of
them) and how a deactivated person's held and assigned items go back to the shared queue.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sciannot.accounts.models import User


@dataclass(frozen=True)
class ReleasedWork:
    """What a deactivation gave back: items the person held, and items assigned to them."""

    holds: int = 0
    assignments: int = 0


DisciplinesInUse = Callable[[], Iterable[str]]
WorkRelease = Callable[[User], ReleasedWork]

_disciplines_in_use: list[DisciplinesInUse] = []
_work_releases: list[WorkRelease] = []


def disciplines_in_use_register(source: DisciplinesInUse) -> None:
    if source not in _disciplines_in_use:
        _disciplines_in_use.append(source)


def work_release_register(release: WorkRelease) -> None:
    if release not in _work_releases:
        _work_releases.append(release)


def disciplines_in_use() -> set[str]:
    """Every non-blank discipline some registered app's rows use."""
    return {name for source in _disciplines_in_use for name in source() if name}


def work_release(user: User) -> ReleasedWork:
    """Give back what `user` held or was assigned, in every registered app (call it inside the
    deactivation's transaction)."""
    holds = assignments = 0
    for release in _work_releases:
        released = release(user)
        holds += released.holds
        assignments += released.assignments
    return ReleasedWork(holds=holds, assignments=assignments)
