"""What a release's page shows of the layers above, given by those layers.

The page links to views of the release that upper apps own (the item analysis of each split,
from the baselines app). This layer draws the page but never imports them: they register a
function from their `AppConfig.ready()` that returns the links for a person and a release.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from releases.models import Release


@dataclass(frozen=True)
class ReleaseLink:
    label: str
    url: str
    testid: str
    note: str = ""


# The links `user` gets on `release`'s page.
ReleaseLinks = Callable[[Any, Release], list[ReleaseLink]]
_release_links: list[ReleaseLinks] = []


def release_links_register(links: ReleaseLinks) -> None:
    if links not in _release_links:
        _release_links.append(links)


def release_links(user: Any, release: Release) -> list[ReleaseLink]:
    """The links the layers above show `user` on `release`'s page."""
    found: list[ReleaseLink] = []
    for links in _release_links:
        found.extend(links(user, release))
    return found
