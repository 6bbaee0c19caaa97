"""Deprecating a frozen release: it stays downloadable, marked `deprecated` (its files and the
`X-Release-Status` header say so), and nothing else about it changes."""

from __future__ import annotations

from releases.models import Release, ReleaseStatus


def release_deprecate(release: Release) -> bool:
    """Mark `release` deprecated; False when it already was.

    One conditional UPDATE, so two curators deprecating at once change it once."""
    changed = Release.objects.filter(pk=release.pk, status=ReleaseStatus.FROZEN).update(
        status=ReleaseStatus.DEPRECATED
    )
    release.refresh_from_db(fields=["status"])
    return changed == 1
