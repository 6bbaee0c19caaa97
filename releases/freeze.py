"""Freezing a release.

A freeze reads the accepted questions matching the filters (`releases.rows`), runs the quality
gate, gives each item a `question_id` unique within its video in the release (keeping the one an
item had in the previous version of the same release), renders each item once as its exact JSON
text, and writes the items, the JSONL and JSON files (`releases.export`), the manifest and the
changelog (`releases.changelog`) in one transaction that ends by sealing the release. Downloads
stream those files: exporting the same release twice gives the same bytes.
"""

from __future__ import annotations

import gc
import hashlib
import json
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from releases.access import lock_benchmark, release_check_audience
from releases.artifacts import RESERVED
from releases.card_parts import card_sections
from releases.changelog import changelog
from releases.export import BUFFER, SplitWriter, dumps, remove_written
from releases.gate import Gate, GateProcess, GateReport
from releases.models import SEMVER, SPLIT_NAME, Access, Release, ReleaseFile, ReleaseItem
from releases.ordering import version_key
from releases.rows import FreezeRequest, chosen_questions, stream_items
from releases.splits import assign_splits
from sciannot.accounts.models import User
from sciannot.bulk_copy import BackgroundCopy, copy_text
from sciannot.conflicts import Conflict, create_unique
from sciannot.inputs import check_length
from videos.models import Benchmark
from videos.selectors import videos_file_checksums

SCHEMA_VERSION = "1"


class ReleaseInvalid(ValueError):
    """A freeze request that cannot be carried out; the message says why."""


class ReleaseExists(ReleaseInvalid, Conflict):
    """The release version is frozen already (found first, or by winning a race)."""

    def __init__(self, name: str, version: str) -> None:
        super().__init__(f"{name} {version} is already frozen; a new version is a new release")


class GateFailed(Exception):
    def __init__(self, report: GateReport) -> None:
        super().__init__(
            f"{sum(len(p.uids) or 1 for p in report.errors)} error(s) block the freeze"
        )
        self.report = report


def warnings_fingerprint(report: GateReport) -> str:
    """A short digest of the gate's warnings: what a curator confirms before freezing."""
    text = json.dumps([p.as_dict() for p in report.warnings], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class WarningsUnconfirmed(Exception):
    """The gate warned and the curator has not confirmed these warnings: nothing is frozen."""

    def __init__(self, report: GateReport) -> None:
        super().__init__(f"{len(report.warnings)} warning(s) to confirm before freezing")
        self.report = report
        self.fingerprint = warnings_fingerprint(report)


def previous_release(benchmark: Benchmark, name: str, version: str) -> Release | None:
    """The highest version of the same release below `version`."""
    earlier = [
        r
        for r in Release.objects.filter(benchmark=benchmark, name=name)
        if version_key(r.version) < version_key(version)
    ]
    return max(earlier, key=lambda r: version_key(r.version), default=None)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Plan:
    """What a freeze would write, as the gate and the split counts see it."""

    report: GateReport
    split_counts: dict[str, int]


def _check_request(benchmark: Benchmark, request: FreezeRequest) -> None:
    texts = (("the description", request.description), ("the license", request.license))
    for what, text in texts:
        too_long = check_length(text, kind="description", what=what)
        if too_long:
            raise ReleaseInvalid(too_long)
    checks = [(SEMVER, request.version), *((SPLIT_NAME, name) for name in request.split_names)]
    for check, value in checks:
        try:
            check(value)
        except ValidationError as exc:
            raise ReleaseInvalid(f"{value!r}: {' '.join(exc.messages)}") from exc
    for name in request.split_names:
        if name in RESERVED:
            raise ReleaseInvalid(
                f"{name!r} is reserved for a release's own files; name the split differently"
            )
    exists = Release.objects.filter(
        benchmark=benchmark, name=request.name, version=request.version
    ).exists()
    if exists:
        raise ReleaseExists(request.name, request.version)
    if not chosen_questions(benchmark, request).exists():
        raise ReleaseInvalid("no accepted item matches the filters; nothing was frozen")


def _split_of(benchmark: Benchmark, request: FreezeRequest) -> dict[int, str] | None:
    """Each question's split when stratifying (a first, light pass over the strata)."""
    if not request.proportions or len(request.proportions) == 1:
        return None
    rows = list(
        chosen_questions(benchmark, request)
        .order_by("pk")
        .values_list("pk", "video__video_id", "category", "question_type")
    )
    facts = [{"video_id": v, "category": c, "question_type": t} for _, v, c, t in rows]
    chosen = assign_splits(
        facts,
        request.proportions,
        seed=request.seed,
        keep_videos_together=request.keep_videos_together,
    )
    return {row[0]: split for row, split in zip(rows, chosen, strict=True)}


class Freezer:
    """One pass over the chosen items: the gate, the split files and the snapshot rows."""

    def __init__(self, benchmark: Benchmark, request: FreezeRequest) -> None:
        _check_request(benchmark, request)
        self.benchmark = benchmark
        self.request = request
        self.previous = previous_release(benchmark, request.name, request.version)
        self.kept: dict[str, str] = (
            dict(self.previous.items.values_list("uid", "question_id")) if self.previous else {}
        )
        self.gate: Gate | None = None
        self.gate_process: GateProcess | None = None
        self.writers = {name: SplitWriter(name) for name in request.split_names}
        self.renumbered: dict[str, dict[str, str]] = {}

    def run(self, *, release_id: int | None = None) -> GateReport:
        """Stream every item through the gate and the writers (see `_run`). The cyclic
        garbage collector is paused meanwhile: the stream makes hundreds of thousands of
        short-lived dicts and no cycles, and the collector's passes over them cost more than
        a tenth of the time."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run(release_id=release_id)
        finally:
            if collecting:
                gc.enable()

    def _run(self, *, release_id: int | None = None) -> GateReport:
        """Stream every item through the gate and the writers; with the `release_id` being
        frozen, also keep each item's snapshot row, in COPY's text format, in the temporary
        file `snapshot`. The rows are written to the database after the stream, not during
        it: the connection is busy fetching the next items meanwhile."""
        snapshot = release_id is not None
        split_of = _split_of(self.benchmark, self.request)
        default = self.request.split_names[0]
        required = self.benchmark.required_accepts
        large = chosen_questions(self.benchmark, self.request).count()
        # Forked before the stream starts its helper thread.
        if large >= settings.RELEASE_GATE_PROCESS_ITEMS:
            self.gate_process = GateProcess(required_accepts=required)
        else:
            self.gate = Gate(required_accepts=required)
        if snapshot:
            self.snapshot = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
            pending = bytearray()
        for item, row in stream_items(self.benchmark, self.request, self.kept):
            line = dumps(item)
            spans = [(start, end) for start, end, _ in row["spans"]]
            if self.gate_process is not None:
                self.gate_process.add_line(
                    line=line, spans=spans, flags=row["flags"], accepts=row["accepts"]
                )
            else:
                assert self.gate is not None
                self.gate.add(
                    uid=item["uid"],
                    item=item,
                    spans=spans,
                    flags=row["flags"],
                    accepts=row["accepts"],
                )
            if item["question_id"] != row["question_id"]:
                self.renumbered[item["uid"]] = {
                    "from": row["question_id"],
                    "to": item["question_id"],
                }
            writer = self.writers[split_of[row["pk"]] if split_of else default]
            position = writer.count
            offset = writer.add(item, line)
            if snapshot:
                # Split names and uids are plain by construction; ids come from imports.
                pending += (
                    f"{release_id}\t{writer.name}\t{position}\t{item['uid']}\t"
                    f"{copy_text(item['video_id'])}\t{copy_text(item['question_id'])}\t"
                    f"{copy_text(row['question_id'])}\t{row['pk']}\t{offset}\t{len(line)}\t"
                    f"{hashlib.sha256(line).hexdigest()}\n"
                ).encode()
                if len(pending) >= BUFFER:
                    self.snapshot.write(pending)
                    pending = bytearray()
        if snapshot:
            self.snapshot.write(pending)
        if self.gate_process is not None:
            return self.gate_process.report()
        assert self.gate is not None
        return self.gate.report()

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
        if self.gate_process is not None:
            self.gate_process.close()
        if hasattr(self, "snapshot"):
            self.snapshot.close()


def plan_freeze(benchmark: Benchmark, request: FreezeRequest) -> Plan:
    """The gate's report and the split sizes, without freezing anything."""
    freezer = Freezer(benchmark, request)
    try:
        report = freezer.run()
    finally:
        freezer.close()
    return Plan(report=report, split_counts={n: w.count for n, w in freezer.writers.items()})


ITEM_COLUMNS = (
    "split",
    "position",
    "uid",
    "video_id",
    "question_id",
    "original_question_id",
    "source_id",
    "offset",
    "length",
    "sha256",
)


def release_freeze(
    *,
    benchmark: Benchmark,
    request: FreezeRequest,
    user: User | None,
    confirmed_warnings: str | None = None,
) -> tuple[Release, GateReport]:
    """Freeze the chosen items into a sealed release; raises GateFailed when errors block it
    (then nothing is kept: the transaction is rolled back and the files removed).

    With `confirmed_warnings` (the page's freeze), a gate that warns freezes only when it is
    the `warnings_fingerprint` of these very warnings, else WarningsUnconfirmed rolls it all
    back; the command passes None, as it prints the warnings and never prompts.
    """
    frozen_at = timezone.now().replace(microsecond=0)
    created_at = _iso(frozen_at)
    written: list[str] = []
    freezer = Freezer(benchmark, request)
    try:
        with transaction.atomic():
            if request.access != Access.CURATORS:
                # Taken before anything else, as access changes and study openings do.
                lock_benchmark(benchmark.pk)
            release = _release_create(
                benchmark=benchmark,
                name=request.name,
                version=request.version,
                description=request.description,
                license=request.license,
                access=request.access,
                filters={
                    "videos": request.videos,
                    "categories": request.categories,
                    "types": request.types,
                },
                previous=freezer.previous,
                frozen_by=user,
                frozen_at=frozen_at,
            )
            report = freezer.run(release_id=release.pk)
            if not report.ok:
                raise GateFailed(report)
            # The snapshot rows go in on the connection (a helper thread) while this thread
            # stores the files, which needs no database: the two overlap.
            copying = BackgroundCopy(ReleaseItem, ["release_id", *ITEM_COLUMNS], freezer.snapshot)
            try:
                stored_files = _store_files(freezer, release, request, created_at, written)
            finally:
                copying.wait()
            # A release others may download must not carry a question an open blind study
            # holds (under whatever release or version), or its evaluators would get the key.
            release_check_audience(release=release, access=request.access, readers=())
            # Asked last, so that a freeze refused for another reason never asks first.
            if (
                confirmed_warnings is not None
                and report.warnings
                and confirmed_warnings != warnings_fingerprint(report)
            ):
                raise WarningsUnconfirmed(report)
            splits: dict[str, Any] = {}
            for writer in freezer.writers.values():
                files = {}
                for stored in stored_files[writer.name]:
                    stored.save()
                    files[f"{writer.name}.{stored.format}"] = {
                        "sha256": stored.sha256,
                        "bytes": stored.size,
                    }
                splits[writer.name] = {
                    "count": writer.count,
                    "videos": len(writer.videos),
                    "by_category_type": writer.counts(),
                    "files": files,
                }
            # Each video's file checksum, so a user of the release can check the media too;
            # read under a lock that holds off any replacement until the release is sealed.
            video_files = videos_file_checksums(
                benchmark_id=benchmark.pk,
                video_ids=set().union(*(writer.videos for writer in freezer.writers.values())),
            )
            manifest = {
                "schema_version": SCHEMA_VERSION,
                "name": request.name,
                "version": request.version,
                "benchmark": benchmark.name,
                "created_at": created_at,
                "frozen_by": user.username if user else None,
                "app_version": settings.SCIANNOT_VERSION,
                "filters": release.filters,
                "split_plan": {
                    "proportions": request.proportions or {request.split: 1.0},
                    "seed": request.seed,
                    "keep_videos_together": request.keep_videos_together,
                },
                "count": report.items,
                "splits": splits,
                "renumbered": freezer.renumbered,
                "video_files": video_files,
            }
            Release.objects.filter(pk=release.pk).update(
                manifest=manifest,
                changelog=changelog(release, freezer.previous),
                warnings=[p.as_dict() for p in report.warnings],
                card_sections=card_sections(freezer.previous),
            )
            Release.objects.filter(pk=release.pk).update(sealed=True)
    except BaseException:
        remove_written(written)
        raise
    finally:
        freezer.close()
    release.refresh_from_db()
    return release, report


def _store_files(
    freezer: Freezer, release: Release, request: FreezeRequest, created_at: str, written: list[str]
) -> dict[str, list[ReleaseFile]]:
    """Each split's JSONL and JSON put in storage (their rows not saved yet), each name
    added to `written` as soon as it exists, for the clean-up of a failed freeze."""
    stored_files: dict[str, list[ReleaseFile]] = {}
    for writer in freezer.writers.values():
        document = writer.document(request=request, created_at=created_at)
        stored_files[writer.name] = []
        # Both hashed as they were written: no second read of either file.
        for fmt, handle, sha, size in (
            ("jsonl", writer.jsonl, writer.sha256, writer.size),
            ("json", document, writer.json_sha256, writer.json_size),
        ):
            stored = ReleaseFile(
                release=release, split=writer.name, format=fmt, sha256=sha, size=size
            )
            stored.file.save(f"{writer.name}.{fmt}", File(handle), save=False)
            written.append(stored.file.name)
            stored_files[writer.name].append(stored)
    return stored_files


def _release_create(**fields: Any) -> Release:
    """Create the release row; a concurrent freeze of the same version that won the race
    gets the message a later freeze would get."""
    return create_unique(
        lambda: Release.objects.create(**fields),
        conflict=lambda: ReleaseExists(fields["name"], fields["version"]),
    )
