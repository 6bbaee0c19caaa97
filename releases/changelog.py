"""What changed in a release against the previous version of the same release."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Subquery

from releases.export import LineReader
from releases.models import Release, ReleaseItem
from releases.rows import CHUNK, ITEM_FIELDS


def changelog(release: Release, previous: Release | None) -> dict[str, Any]:
    """Added, removed and changed items by uid against the previous version, with the fields
    that changed: the snapshots are compared in the database by each line's sha256, and only
    changed lines are read back."""
    mine = ReleaseItem.objects.filter(release=release)
    if previous is None:
        return {
            "previous": None,
            "added": sorted(mine.values_list("uid", flat=True)),
            "removed": [],
            "changed": [],
        }
    theirs = ReleaseItem.objects.filter(release=previous)
    added = mine.exclude(uid__in=theirs.values("uid")).order_by("uid")
    removed = theirs.exclude(uid__in=mine.values("uid")).order_by("uid")
    same = theirs.filter(uid=OuterRef("uid"))
    changed = []
    now_lines, before_lines = LineReader(release), LineReader(previous)
    try:
        for uid, split, offset, length, old_split, old_offset, old_length in (
            mine.annotate(
                old_sha=Subquery(same.values("sha256")[:1]),
                old_split=Subquery(same.values("split")[:1]),
                old_offset=Subquery(same.values("offset")[:1]),
                old_length=Subquery(same.values("length")[:1]),
            )
            .exclude(old_sha__isnull=True)
            .exclude(old_sha=F("sha256"))
            .order_by("uid")
            .values_list(
                "uid", "split", "offset", "length", "old_split", "old_offset", "old_length"
            )
            .iterator(chunk_size=CHUNK)
        ):
            new = now_lines.read(split, offset, length)
            old = before_lines.read(old_split, old_offset, old_length)
            changed.append(
                {
                    "uid": uid,
                    "changes": [
                        {"field": name, "before": old.get(name), "after": new.get(name)}
                        for name in ITEM_FIELDS
                        if old.get(name) != new.get(name)
                    ],
                }
            )
    finally:
        now_lines.close()
        before_lines.close()
    # Items kept but put in another split: a score on one split is no longer comparable.
    moved = [
        {"uid": uid, "from": old_split, "to": split}
        for uid, split, old_split in mine.annotate(old_split=Subquery(same.values("split")[:1]))
        .exclude(old_split__isnull=True)
        .exclude(old_split=F("split"))
        .order_by("uid")
        .values_list("uid", "split", "old_split")
        .iterator(chunk_size=CHUNK)
    ]
    return {
        "previous": previous.version,
        "added": list(added.values_list("uid", flat=True)),
        "removed": list(removed.values_list("uid", flat=True)),
        "changed": changed,
        "moved": moved,
    }
