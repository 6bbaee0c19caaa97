"""Frozen, versioned releases of a benchmark and their immutable snapshots.

A Release row exists only once frozen: it is written, with its items and export files, in
one transaction, and then sealed. Database triggers (migration 0002) refuse any later change
to what was published: items and files can be neither changed nor deleted nor added, and a
release can only be deprecated (or have who may download it changed), never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from videos.models import Benchmark

SEMVER = RegexValidator(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$",
    "Use a semantic version such as 1.0.0.",
)
RELEASE_NAME = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$",
    "Use letters, digits, '.', '_' and '-' (starting with a letter or digit).",
)
SPLIT_NAME = RegexValidator(r"^[a-z][a-z0-9_-]{0,31}$", "Use a lower-case split name like test.")


class ReleaseStatus(models.TextChoices):
    FROZEN = "frozen", "Frozen"
    DEPRECATED = "deprecated", "Deprecated"


class Access(models.TextChoices):
    CURATORS = "curators", "Curators only"
    NAMED = "named", "Curators and named users"
    PUBLIC = "public", "Anyone with the link"


class Release(models.Model):
    benchmark = models.ForeignKey(Benchmark, on_delete=models.PROTECT, related_name="releases")
    name = models.CharField(max_length=100, validators=[RELEASE_NAME])
    version = models.CharField(max_length=40, validators=[SEMVER])
    description = models.TextField(blank=True)
    license = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.FROZEN
    )
    access = models.CharField(max_length=16, choices=Access.choices, default=Access.CURATORS)
    readers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="readable_releases"
    )
    # What was chosen and how: {"categories": [...], "types": [...], "videos": [...]}.
    filters = models.JSONField(default=dict)
    manifest = models.JSONField(default=dict)
    changelog = models.JSONField(default=dict)
    # The gate's warnings at freeze time, kept with the release.
    warnings = models.JSONField(default=list)
    # Markdown sections the layers above added to the dataset card at freeze time (the item
    # analysis of the previous version): kept, so the card stays what it was when frozen.
    card_sections = models.TextField(blank=True, default="")
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    frozen_at = models.DateTimeField()
    # Set once items and files are written; nothing may be added after.
    sealed = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "-frozen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "name", "version"], name="release_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReleaseStatus.values), name="release_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(access__in=Access.values), name="release_access_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def splits(self) -> list[str]:
        return sorted(self.manifest.get("splits", {}))


class ReleaseItem(models.Model):
    """One published item: where its line is in the split's stored JSONL (the snapshot), and
    the line's sha256."""

    # Its unique constraints begin with the release, so they serve as its index. Neither
    # link is a foreign-key constraint, which would check and lock each of a freeze's 100,000
    # rows one by one: a trigger checks all of a statement's rows at once, and another
    # refuses to delete a released question (migration 0003).
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        related_name="items",
        db_index=False,
        db_constraint=False,
    )
    split = models.CharField(max_length=32, validators=[SPLIT_NAME])
    position = models.PositiveIntegerField()
    uid = models.CharField(max_length=16)
    video_id = models.CharField(max_length=64)
    question_id = models.CharField(max_length=32)
    # The question's own id, kept when it was renumbered to be unique in the release.
    original_question_id = models.CharField(max_length=32, blank=True)
    # A released question cannot be deleted (its later edits never reach this release).
    source = models.ForeignKey(
        "reviews.Question",
        on_delete=models.PROTECT,
        related_name="release_items",
        db_constraint=False,
    )
    offset = models.PositiveBigIntegerField(help_text="Byte offset of the line in the JSONL.")
    length = models.PositiveIntegerField(help_text="Bytes of the line, without its newline.")
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["release", "split", "position"]
        constraints = [
            models.UniqueConstraint(fields=["release", "uid"], name="releaseitem_unique_uid"),
            models.UniqueConstraint(
                fields=["release", "split", "position"], name="releaseitem_unique_position"
            ),
            models.UniqueConstraint(
                fields=["release", "video_id", "question_id"], name="releaseitem_unique_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.uid} in {self.release}"


class ExportFormat(models.TextChoices):
    JSONL = "jsonl", "JSON Lines"
    JSON = "json", "JSON"


def release_file_path(instance: ReleaseFile, filename: str) -> str:
    release = instance.release
    return f"releases/{release.benchmark.name}/{release.name}/{release.version}/{filename}"


class ReleaseFile(models.Model):
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="files")
    split = models.CharField(max_length=32)
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    file = models.FileField(upload_to=release_file_path, max_length=500)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "split", "format"], name="releasefile_unique_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.split}.{self.format}"
