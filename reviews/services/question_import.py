"""Importing questions from a SciVideoBench JSON/JSONL file, all or nothing.

The file is read once, streaming. Valid items are written in batches inside one
transaction; the first invalid item stops the writing but not the reading, so every problem
in the file is reported, and then the transaction is rolled back: the database is exactly as
it was. An item is the same question as a stored one when it has the same video and the
same whitespace-normalised text.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from reviews.models import (
    EvidenceSpan,
    Option,
    Question,
    QuestionSource,
    QuestionStatus,
    Revision,
    new_uid,
)
from reviews.services.item_format import ItemData, ItemProblems, validate_item
from reviews.services.item_records import iter_records
from reviews.services.questions import question_set_options, question_set_spans
from reviews.services.revisions import SNAPSHOT_FIELDS, question_snapshot, revision_write
from reviews.timeparse import format_timestamp
from sciannot.accounts.models import User
from sciannot.bulk_copy import CopyJob, WritePipeline, allocate_ids
from videos.models import Benchmark, MediaStatus, Video

BATCH_SIZE = 2000
ANALYZE_AFTER = 5000
QUESTION_COLUMNS = (
    "id",
    "video_id",
    "question_id",
    "uid",
    "text",
    "text_key",
    "question_type",
    "answer",
    "discipline",
    "category",
    "subject",
    "rationale",
    "timestamp_breakdown",
    "status",
    "source",
    "expert_touched",
    "spans_edited",
    "flags",
    "version",
    "content_hash",
    "created_at",
    "updated_at",
)
REVISION_COLUMNS = (
    "question_id",
    "number",
    "author_id",
    "created_at",
    "reason",
    "snapshot",
    "changed_fields",
)
IMPORT_STATUSES = (QuestionStatus.DRAFT, QuestionStatus.ACCEPTED)


class ImportFailed(Exception):
    """The import changed nothing; `problems` are 'line N: what is wrong' messages (or a
    message without a line when the file as a whole could not be imported)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was imported")
        self.problems = problems


@dataclass
class VideoCounts:
    created: int = 0
    unchanged: int = 0
    updated: int = 0


@dataclass
class ImportReport:
    dry_run: bool
    per_video: dict[str, VideoCounts] = field(default_factory=dict)
    placeholder_videos: list[str] = field(default_factory=list)

    def count(self, video_id: str) -> VideoCounts:
        return self.per_video.setdefault(video_id, VideoCounts())

    @property
    def created(self) -> int:
        return sum(c.created for c in self.per_video.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.per_video.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.per_video.values())

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.placeholder_videos)


@dataclass
class _VideoState:
    pk: int | None
    duration: float | None
    category: str
    discipline: str
    subject: str
    is_new: bool = False
    needs_update: bool = False


@dataclass(frozen=True)
class _Existing:
    pk: int
    uid: str
    content_hash: str
    expert_touched: bool


class _Importer:
    def __init__(
        self,
        *,
        benchmark: Benchmark,
        status: str,
        dry_run: bool,
        author: User | None,
        reason: str,
    ) -> None:
        self.benchmark = benchmark
        self.status = status
        self.dry_run = dry_run
        self.author = author
        self.reason = reason
        self.report = ImportReport(dry_run=dry_run)
        self.problems: list[str] = []
        self.pending: list[ItemData] = []
        self.videos: dict[str, _VideoState] = {}
        self.existing: dict[tuple[str, str], _Existing] = {}
        # (video_id, text_key) -> (line, content hash) of items already read from this file.
        self.seen: dict[tuple[str, str], tuple[int, str]] = {}
        self.now = timezone.now()
        self.db_now = connection.ops.adapt_datetimefield_value(self.now)
        self.writer = WritePipeline()

    def load_existing(self) -> None:
        for video in Video.objects.filter(benchmark=self.benchmark).values(
            "pk", "video_id", "duration", "category", "discipline", "subject"
        ):
            self.videos[video["video_id"]] = _VideoState(
                pk=video["pk"],
                duration=video["duration"],
                category=video["category"],
                discipline=video["discipline"],
                subject=video["subject"],
            )
        rows = Question.objects.filter(video__benchmark=self.benchmark).values_list(
            "pk", "video__video_id", "text_key", "uid", "content_hash", "expert_touched"
        )
        for pk, video_id, key, uid, digest, touched in rows.iterator(chunk_size=5000):
            self.existing[(video_id, key)] = _Existing(pk, uid, digest, touched)

    # --- reading ---

    def feed(self, path: Path) -> None:
        for record in iter_records(path):
            if record.error:
                self.problem(record.line, record.error)
                continue
            self.handle(record.line, record.value, may_hold_nul=record.may_hold_nul)
        self.flush()

    def problem(self, line: int, message: str) -> None:
        self.problems.append(f"line {line}: {message}")
        # Nothing more will be kept, so stop spending time on writes.
        self.pending.clear()

    def handle(self, line: int, raw: Any, *, may_hold_nul: bool = True) -> None:
        video_id = str(raw.get("video_id", "")).strip() if isinstance(raw, dict) else ""
        video = self.videos.get(video_id)
        try:
            item = validate_item(
                raw,
                line,
                known_duration=video.duration if video and not video.is_new else None,
                known_category=video.category if video else "",
                may_hold_nul=may_hold_nul,
            )
        except ItemProblems as exc:
            for message in exc.messages:
                self.problem(line, message)
            return
        if video is None:
            video = _VideoState(
                pk=None,
                duration=item.video_duration,
                category=item.category,
                discipline=item.discipline,
                subject=item.subject,
                is_new=True,
            )
            self.videos[item.video_id] = video
            self.report.placeholder_videos.append(item.video_id)
        elif video.is_new and video.duration is not None:
            # A later item of a video first seen in this file: check times against the
            # duration the first item gave.
            end = max((span.end for span in item.spans), default=0.0)
            if end > video.duration + 1.0:
                self.problem(
                    line,
                    f"time {format_timestamp(end)} is past the end of the video "
                    f"({format_timestamp(video.duration)}, from its first item)",
                )
                return
        elif not video.is_new:
            for name in ("category", "discipline", "subject"):
                if not getattr(video, name) and getattr(item, name):
                    setattr(video, name, getattr(item, name))
                    video.needs_update = True

        digest = item.content_hash()
        key = (item.video_id, item.text_key)
        earlier = self.seen.get(key)
        if earlier is not None:
            if earlier[1] != digest:
                self.problem(
                    line,
                    f"same question as line {earlier[0]} (same video and text) "
                    "but with different content",
                )
            else:
                self.report.count(item.video_id).unchanged += 1
            return
        self.seen[key] = (line, digest)

        existing = self.existing.get(key)
        if existing is None:
            self.report.count(item.video_id).created += 1
            if not self.problems:
                self.pending.append(item)
                if len(self.pending) >= BATCH_SIZE:
                    self.flush()
            return
        if existing.content_hash == digest:
            self.report.count(item.video_id).unchanged += 1
            return
        if existing.expert_touched:
            self.problem(
                line,
                f"question {existing.uid} has been edited or decided on by an expert; "
                "an import cannot overwrite it",
            )
            return
        self.report.count(item.video_id).updated += 1
        if not self.problems and not self.dry_run:
            self.update(existing, item, digest)

    # --- writing ---

    def flush(self) -> None:
        if self.dry_run or self.problems or not self.pending:
            self.pending.clear()
            return
        items, self.pending = self.pending, []
        # The connection is ours again only once the previous batch is written.
        self.writer.drain()
        jobs = self.video_rows({item.video_id for item in items})
        ids = allocate_ids(Question, len(items))
        source = QuestionSource.IMPORTED
        status = self.status
        now = self.db_now
        author_pk = self.author.pk if self.author else None
        reason = self.reason
        videos = self.videos
        question_rows = []
        option_rows: list[tuple[int, str, str]] = []
        span_rows: list[tuple[int, float, float, str, int, str]] = []
        revision_rows = []
        snapshot_tail = f',"status":{json.dumps(self.status)},"version":1}}'
        all_fields = json.dumps(sorted([*SNAPSHOT_FIELDS]))
        for pk, item in zip(ids, items, strict=True):
            content = item.content_json()
            question_rows.append(
                (
                    pk,
                    videos[item.video_id].pk,
                    item.question_id,
                    new_uid(),
                    item.text,
                    item.text_key,
                    item.question_type,
                    item.answer,
                    item.discipline,
                    item.category,
                    item.subject,
                    item.rationale,
                    # What json.dumps(breakdown, ensure_ascii=False) gives, for a list of text.
                    "[" + ", ".join(map(encode_basestring, item.timestamp_breakdown)) + "]",
                    status,
                    source,
                    False,
                    False,
                    "[]",
                    1,
                    item.content_hash(),
                    now,
                    now,
                )
            )
            option_rows += [(pk, letter, text) for letter, text in item.options.items()]
            span_rows += [
                (pk, span.start, span.end, span.note, order, span.origin)
                for order, span in enumerate(item.spans)
            ]
            revision_rows.append(
                (
                    pk,
                    1,
                    author_pk,
                    now,
                    reason,
                    # The snapshot is the content plus status and version; splice them into
                    # the JSON already made for the hash rather than encode it twice.
                    content[:-1] + snapshot_tail,
                    all_fields,
                )
            )
        self.writer.submit(
            [
                *jobs,
                (Question, QUESTION_COLUMNS, question_rows),
                (Option, ["question_id", "letter", "text"], option_rows),
                (
                    EvidenceSpan,
                    ["question_id", "start", "end", "note", "order", "origin"],
                    span_rows,
                ),
                (Revision, REVISION_COLUMNS, revision_rows),
            ]
        )

    def video_rows(self, video_ids: set[str]) -> list[CopyJob]:
        """The rows of the placeholder videos a batch needs, written ahead of its questions.

        Every column but the five an item gives takes the value a new `Video` would save,
        worked out once; building 10,000 model instances for this took longer than all the
        questions' rows.
        """
        new = [vid for vid in sorted(video_ids) if self.videos[vid].pk is None]
        if not new:
            return []
        template = Video(benchmark=self.benchmark, media_status=MediaStatus.PLACEHOLDER)
        fields = [f for f in Video._meta.concrete_fields if not f.primary_key]
        base = {
            f.attname: f.get_db_prep_save(f.pre_save(template, add=True), connection)
            for f in fields
        }
        columns = ["id", *(f.column for f in fields)]
        rows = []
        for pk, vid in zip(allocate_ids(Video, len(new)), new, strict=True):
            state = self.videos[vid]
            state.pk = pk
            values = base | {
                "video_id": vid,
                "duration": state.duration,
                "discipline": state.discipline,
                "category": state.category,
                "subject": state.subject,
            }
            rows.append((pk, *(values[f.attname] for f in fields)))
        return [(Video, columns, rows)]

    def update(self, existing: _Existing, item: ItemData, digest: str) -> None:
        self.writer.drain()
        question = Question.objects.select_for_update().get(pk=existing.pk)
        before = question_snapshot(question)
        question.question_id = item.question_id
        question.text = item.text
        question.question_type = item.question_type
        question.answer = item.answer
        question.discipline = item.discipline
        question.category = item.category
        question.subject = item.subject
        question.rationale = item.rationale
        question.timestamp_breakdown = item.timestamp_breakdown
        question.content_hash = digest
        question.version += 1
        question.judged_version = question.version
        question.save()
        question_set_options(question, item.options)
        question_set_spans(question, ((s.start, s.end, s.note, s.origin) for s in item.spans))
        revision_write(question=question, author=self.author, reason=self.reason, before=before)

    def update_videos(self) -> None:
        for state in self.videos.values():
            if state.needs_update and state.pk is not None:
                Video.objects.filter(pk=state.pk).update(
                    category=state.category, discipline=state.discipline, subject=state.subject
                )


def questions_import(
    *,
    benchmark: Benchmark,
    path: Path,
    status: str = QuestionStatus.DRAFT,
    dry_run: bool = False,
    author: User | None = None,
) -> ImportReport:
    """Import every item of `path` into `benchmark`, or nothing (raises ImportFailed)."""
    if status not in IMPORT_STATUSES:
        raise ValueError(f"status must be one of {', '.join(IMPORT_STATUSES)}, not {status!r}")
    if not path.is_file():
        raise ImportFailed([f"no such file: {path}"])
    importer = _Importer(
        benchmark=benchmark,
        status=status,
        dry_run=dry_run,
        author=author,
        reason=f"imported from {path.name}"[:200],
    )
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check foreign keys as each batch lands, while the next one is parsed,
                # rather than all at once at commit.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            importer.load_existing()
            # The parser would otherwise hold the GIL for the default 5 ms slices while the
            # COPY thread waits to hand the server its next rows.
            switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(0.0005)
            try:
                importer.feed(path)
            finally:
                sys.setswitchinterval(switch_interval)
                importer.writer.drain()
            if importer.problems:
                raise ImportFailed(importer.problems)
            if dry_run:
                # Validation only: leave no trace, even of reads that locked rows.
                transaction.set_rollback(True)
            else:
                importer.update_videos()
        if (
            not dry_run
            and importer.report.created >= ANALYZE_AFTER
            and connection.vendor == "postgresql"
        ):
            # Fresh statistics, so the first pages after a big import use the indexes
            # rather than waiting for autovacuum to notice a million new rows.
            with connection.cursor() as cursor:
                cursor.execute(
                    "ANALYZE reviews_question, reviews_option, reviews_evidencespan, "
                    "reviews_revision, videos_video"
                )
    except IntegrityError as exc:
        raise ImportFailed(
            [
                f"the database refused the import ({exc}); another import may have "
                "changed the same questions at the same time — run it again"
            ]
        ) from exc
    return importer.report
