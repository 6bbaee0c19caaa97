"""Freezing a release and producing its exports.

A freeze reads the accepted questions matching the filters, runs the quality gate, gives each
item a `question_id` unique within its video in the release (keeping the one an item had in
the previous version of the same release), renders each item once as its exact JSON text,
and writes the items, the JSONL and JSON files, the manifest and the changelog in one
transaction that ends by sealing the release. Downloads stream those files: exporting the
same release twice gives the same bytes.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import posixpath
import queue
import re
import tempfile
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from releases.access import lock_benchmark, release_check_audience
from releases.artifacts import RESERVED
from releases.gate import Gate, GateProcess, GateReport
from releases.models import SEMVER, SPLIT_NAME, Access, Release, ReleaseFile, ReleaseItem
from releases.splits import assign_splits
from reviews.models import Decision, DecisionKind, Question, QuestionStatus
from reviews.services.bulk import copy_text, insert_copy_file
from reviews.timeparse import format_timestamp
from sciannot.accounts.models import User
from sciannot.conflicts import Conflict, create_unique
from sciannot.inputs import check_length
from videos.models import Benchmark
from videos.selectors import videos_file_checksums

SCHEMA_VERSION = "1"
# The order of an item's fields in the export, as harnesses read them.
ITEM_FIELDS = (
    "uid",
    "video_id",
    "question_id",
    "question",
    "options",
    "answer",
    "question_type",
    "discipline",
    "category",
    "subject",
    "video_duration",
    "timestamp_breakdown",
    "rationale",
)
_CHUNK = re.compile(r"([0-9]+)")


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


@dataclass
class FreezeRequest:
    name: str
    version: str
    split: str = "test"
    videos: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    description: str = ""
    license: str = ""
    access: str = Access.CURATORS
    # Stratified splits instead of one: {"test": 0.8, "val": 0.2}, with a seed.
    proportions: dict[str, float] | None = None
    seed: int = 0
    keep_videos_together: bool = True

    @property
    def split_names(self) -> list[str]:
        return list(self.proportions) if self.proportions else [self.split]


@functools.lru_cache(maxsize=1 << 16)
def natural_key(value: str) -> tuple[Any, ...]:
    """ "2" < "10" < "10a": digits compare as numbers, and any two ids compare.

    Each chunk is (0, number, text) for ASCII digits and (1, 0, text) otherwise, so a number
    never meets a string in a comparison ("3" and "x1" in one video), and "01" and "1" still
    have a fixed order."""
    return tuple(
        (0, int(part), part) if part.isascii() and part.isdigit() else (1, 0, part)
        for part in _CHUNK.split(value)
        if part
    )


def version_key(version: str) -> tuple[int, int, int, int, str]:
    main, _, pre = version.partition("-")
    major, minor, patch = (int(part) for part in main.split("."))
    # A pre-release sorts before its release.
    return major, minor, patch, 0 if pre else 1, pre


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, keys in the order given: one export line."""
    return orjson.dumps(value)


def render_breakdown(
    stored: list[str], spans: list[tuple[float, float, str]], spans_edited: bool
) -> list[str]:
    """The breakdown as stored, or rendered from the spans once an expert has edited them."""
    if not spans_edited:
        return list(stored)
    rendered = []
    for start, end, note in spans:
        moment = f"{format_timestamp(start)}-{format_timestamp(end)}"
        rendered.append(f"{moment}: {note}" if note else moment)
    return rendered


QUESTION_FIELDS = (
    "pk",
    "uid",
    "question_id",
    "text",
    "answer",
    "question_type",
    "discipline",
    "category",
    "subject",
    "rationale",
    "timestamp_breakdown",
    "spans_edited",
    "flags",
    "video__video_id",
    "video__duration",
)


def chosen_questions(benchmark: Benchmark, request: FreezeRequest) -> QuerySet[Question]:
    questions = Question.objects.filter(video__benchmark=benchmark, status=QuestionStatus.ACCEPTED)
    if request.videos:
        questions = questions.filter(video__video_id__in=request.videos)
    if request.categories:
        questions = questions.filter(category__in=request.categories)
    if request.types:
        questions = questions.filter(question_type__in=request.types)
    return questions


def previous_release(benchmark: Benchmark, name: str, version: str) -> Release | None:
    """The highest version of the same release below `version`."""
    earlier = [
        r
        for r in Release.objects.filter(benchmark=benchmark, name=name)
        if version_key(r.version) < version_key(version)
    ]
    return max(earlier, key=lambda r: version_key(r.version), default=None)


def assign_ids(rows: list[dict[str, Any]], previous: dict[str, str]) -> None:
    """Give one video's items a release `question_id` each, unique in the video: the one the
    item had in the previous version, else its own when free, else the next free number."""
    taken: set[str] = set()
    for row in rows:
        kept = previous.get(row["uid"])
        if kept is not None and kept not in taken:
            row["release_id"] = kept
            taken.add(kept)
    waiting = sorted(
        (r for r in rows if "release_id" not in r),
        key=lambda r: (natural_key(r["question_id"]), r["pk"]),
    )
    for row in waiting:
        own = row["question_id"].strip()
        if own and own not in taken:
            row["release_id"] = own
            taken.add(own)
    number = 1 + max((int(t) for t in taken if t.isascii() and t.isdigit()), default=0)
    for row in waiting:
        if "release_id" not in row:
            while str(number) in taken:
                number += 1
            row["release_id"] = str(number)
            taken.add(str(number))


CHUNK = 2000

# Each question's options and spans gathered by the database into one JSON value per row, so
# a freeze reads one row per item instead of a dozen.
_AGGREGATES = {
    "postgresql": (
        "(SELECT json_object_agg(o.letter, o.text ORDER BY o.letter) FROM reviews_option o "
        "WHERE o.question_id = reviews_question.id)",
        '(SELECT json_agg(json_build_array(s.start, s."end", s.note) '
        'ORDER BY s."order", s.id) FROM reviews_evidencespan s '
        "WHERE s.question_id = reviews_question.id)",
    ),
    "sqlite": (
        "(SELECT json_group_object(o.letter, o.text) FROM (SELECT letter, text FROM "
        "reviews_option WHERE question_id = reviews_question.id ORDER BY letter) o)",
        '(SELECT json_group_array(json_array(s.start, s."end", s.note)) FROM '
        "(SELECT * FROM reviews_evidencespan WHERE question_id = reviews_question.id "
        'ORDER BY "order", id) s)',
    ),
}


def _decoded(value: Any, empty: Any) -> Any:
    if value is None:
        return empty
    return orjson.loads(value) if isinstance(value, str) else value


def stream_items(
    benchmark: Benchmark, request: FreezeRequest, previous: dict[str, str]
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(export item, facts for the gate and the snapshot) for every chosen question, in export
    order: by video id, then the natural order of release question ids. One video's
    questions are held at a time."""
    chosen = chosen_questions(benchmark, request)
    accepts = dict(
        Decision.objects.filter(
            question__in=chosen.values("pk"),
            kind=DecisionKind.ACCEPT,
            question_version__gte=F("question__judged_version"),
        )
        .values("question_id")
        # Distinct reviewers: one expert's accepts of two letterings of the same content
        # are one accept.
        .annotate(n=Count("reviewer", distinct=True))
        .values_list("question_id", "n")
    )
    options_sql, spans_sql = _AGGREGATES[connection.vendor]
    query = (
        chosen.order_by("video__video_id", "pk")
        # Constant SQL, no user input in it.
        .annotate(
            options_json=RawSQL(options_sql, []),  # noqa: S611
            spans_json=RawSQL(spans_sql, []),  # noqa: S611
        )
        .values_list(*QUESTION_FIELDS, "options_json", "spans_json")
    )
    sql, params = query.query.sql_with_params()
    # Plain rows from a server-side cursor on PostgreSQL: a chunk at a time, memory stays flat,
    # and JSON is decoded only where needed rather than by the ORM for every field.
    video_rows: list[dict[str, Any]] = []
    video = None
    for row in _rows(sql, params, accepts):
        if row["video__video_id"] != video and video_rows:
            yield from _video_items(video_rows, previous)
            video_rows = []
        video = row["video__video_id"]
        video_rows.append(row)
    if video_rows:
        yield from _video_items(video_rows, previous)


def _prefetched(cursor: Any, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The chunks of a PostgreSQL server-side cursor, each next one fetched by a helper thread
    while this thread works on the last: the database computes rows while Python renders and
    writes them. At most two chunks wait, so memory stays flat."""
    chunks: queue.Queue[list[tuple[Any, ...]] | BaseException] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def fetch() -> None:
        try:
            while not stop.is_set():
                chunk = cursor.fetchmany(size)
                chunks.put(chunk)
                if not chunk:
                    return
        except BaseException as exc:  # handed to the reading thread, which raises it
            chunks.put(exc)

    helper = threading.Thread(target=fetch, name="freeze-fetch", daemon=True)
    helper.start()
    try:
        while True:
            chunk = chunks.get()
            if isinstance(chunk, BaseException):
                raise chunk
            if not chunk:
                return
            yield chunk
    finally:
        stop.set()
        while helper.is_alive():
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.05)
        helper.join()


@contextlib.contextmanager
def _no_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiler spends longer compiling the freeze's query (about half a
    second) than it saves running it."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")


def _rows(sql: str, params: Any, accepts: dict[int, int]) -> Iterator[dict[str, Any]]:
    with _no_jit(), connection.chunked_cursor() as cursor:
        chunks: Iterator[list[tuple[Any, ...]]]
        if connection.vendor == "postgresql":
            # JSON columns decoded by orjson: a freeze reads four JSON values per item.
            from psycopg.types.json import set_json_loads

            set_json_loads(orjson.loads, cursor.cursor)
            cursor.execute(sql, params)
            # psycopg's cursor itself: its connection serialises the helper's fetches with
            # this thread's writes.
            chunks = _prefetched(cursor.cursor, CHUNK)
        else:
            cursor.execute(sql, params)
            chunks = iter(lambda: cursor.fetchmany(CHUNK), [])
        for chunk in chunks:
            for values in chunk:
                row = dict(zip(QUESTION_FIELDS, values, strict=False))
                row["timestamp_breakdown"] = _decoded(row["timestamp_breakdown"], [])
                row["flags"] = _decoded(row["flags"], [])
                # In letter order already: the database sorted them.
                row["options"] = _decoded(values[-2], {})
                row["spans"] = _decoded(values[-1], [])
                row["accepts"] = accepts.get(row["pk"], 0)
                yield row


def _video_items(
    rows: list[dict[str, Any]], previous: dict[str, str]
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    assign_ids(rows, previous)
    rows.sort(key=lambda r: (natural_key(r["release_id"]), r["pk"]))
    for row in rows:
        duration = row["video__duration"]
        item = {
            "uid": row["uid"],
            "video_id": row["video__video_id"],
            "question_id": row["release_id"],
            "question": row["text"],
            "options": row["options"],
            "answer": row["answer"],
            "question_type": row["question_type"],
            "discipline": row["discipline"],
            "category": row["category"],
            "subject": row["subject"],
            "video_duration": float(duration) if duration is not None else None,
            "timestamp_breakdown": render_breakdown(
                row["timestamp_breakdown"], row["spans"], row["spans_edited"]
            ),
            "rationale": row["rationale"],
        }
        yield item, row


def export_item(question: Question, question_id: str) -> dict[str, Any]:
    """One question as a release publishes it (the same rendering as a freeze)."""
    spans = [(s.start, s.end, s.note) for s in question.spans.order_by("order", "pk")]
    row = {
        "pk": question.pk,
        "uid": question.uid,
        "question_id": question_id,
        "release_id": question_id,
        "text": question.text,
        "answer": question.answer,
        "question_type": question.question_type,
        "discipline": question.discipline,
        "category": question.category,
        "subject": question.subject,
        "rationale": question.rationale,
        "timestamp_breakdown": question.timestamp_breakdown,
        "spans_edited": question.spans_edited,
        "video__video_id": question.video.video_id,
        "video__duration": question.video.duration,
        "options": {o.letter: o.text for o in question.options.order_by("letter")},
        "spans": spans,
    }
    return next(_video_items([row], {question.uid: question_id}))[0]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_header(
    *, name: str, version: str, split: str, count: int, sha256: str, created_at: str
) -> bytes:
    """The `.json` export's opening, before its items."""
    header = dumps(
        {
            "name": name,
            "version": version,
            "split": split,
            "count": count,
            "sha256": sha256,
            "created_at": created_at,
        }
    )
    return header[:-1] + b',"items":['


BUFFER = 1 << 20


class SplitWriter:
    """One split's outputs, written as items stream past: the JSONL (hashed on the way, a
    megabyte at a time), its counts, and its snapshot rows. The JSON document is made from
    the JSONL afterwards: its items are the same bytes, with commas for newlines."""

    def __init__(self, name: str) -> None:
        self.name = name
        # Closed by close(), after the files have been stored.
        self.jsonl = tempfile.TemporaryFile()  # noqa: SIM115
        self.digest = hashlib.sha256()
        self.pending = bytearray()
        self.count = 0
        self.size = 0
        self.videos: set[str] = set()
        self.strata: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, item: dict[str, Any], data: bytes) -> int:
        """Write one line; returns its offset in the JSONL."""
        offset = self.size
        self.pending += data
        self.pending += b"\n"
        self.size += len(data) + 1
        if len(self.pending) >= BUFFER:
            self.flush()
        self.count += 1
        self.videos.add(item["video_id"])
        self.strata[item["category"]][item["question_type"]] += 1
        return offset

    def flush(self) -> None:
        self.jsonl.write(self.pending)
        self.digest.update(self.pending)
        self.pending = bytearray()

    @property
    def sha256(self) -> str:
        self.flush()
        return self.digest.hexdigest()

    def document(
        self, *, request: FreezeRequest, created_at: str
    ) -> tempfile._TemporaryFileWrapper[bytes]:
        """The `.json` export: the header, then the same items as the JSONL."""
        self.flush()
        document = tempfile.NamedTemporaryFile()  # noqa: SIM115 - closed by close()
        document.write(
            json_header(
                name=request.name,
                version=request.version,
                split=self.name,
                count=self.count,
                sha256=self.sha256,
                created_at=created_at,
            )
        )
        self.jsonl.seek(0)
        # Every line ends with a newline, and none appears inside one (JSON escapes it).
        separator = b""
        while chunk := self.jsonl.read(BUFFER):
            if chunk.endswith(b"\n"):
                document.write(separator + chunk[:-1].replace(b"\n", b","))
                separator = b","
            else:
                document.write(separator + chunk.replace(b"\n", b","))
                separator = b""
        document.write(b"]}\n")
        document.flush()
        self.json_file = document
        return document

    def counts(self) -> dict[str, dict[str, int]]:
        return {c: dict(sorted(t.items())) for c, t in sorted(self.strata.items())}

    def close(self) -> None:
        self.jsonl.close()
        if hasattr(self, "json_file"):
            self.json_file.close()


def _hash_file(handle: Any) -> tuple[str, int]:
    handle.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


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


class LineReader:
    """Reads published lines back from the stored JSONL files, one open file per split."""

    def __init__(self, release: Release) -> None:
        self.release = release
        self.handles: dict[str, Any] = {}

    def read(self, split: str, offset: int, length: int) -> dict[str, Any]:
        handle = self.handles.get(split)
        if handle is None:
            stored = release_file(self.release, split, "jsonl")
            assert stored is not None, f"{self.release} has no {split}.jsonl"
            handle = self.handles[split] = stored.file.open("rb")
        handle.seek(offset)
        loaded: dict[str, Any] = orjson.loads(handle.read(length))
        return loaded

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


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


def release_freeze(
    *, benchmark: Benchmark, request: FreezeRequest, user: User | None
) -> tuple[Release, GateReport]:
    """Freeze the chosen items into a sealed release; raises GateFailed when errors block it
    (then nothing is kept: the transaction is rolled back and the files removed)."""
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
            insert_copy_file(ReleaseItem, ["release_id", *ITEM_COLUMNS], freezer.snapshot)
            # A release others may download must not carry a question an open blind study
            # holds (under whatever release or version), or its evaluators would get the key.
            release_check_audience(release=release, access=request.access, readers=())
            splits: dict[str, Any] = {}
            for writer in freezer.writers.values():
                document = writer.document(request=request, created_at=created_at)
                files = {}
                for fmt, handle in (("jsonl", writer.jsonl), ("json", document)):
                    sha, size = _hash_file(handle)
                    stored = ReleaseFile(
                        release=release, split=writer.name, format=fmt, sha256=sha, size=size
                    )
                    stored.file.save(f"{writer.name}.{fmt}", File(handle), save=False)
                    written.append(stored.file.name)
                    stored.save()
                    files[f"{writer.name}.{fmt}"] = {"sha256": sha, "bytes": size}
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
            )
            Release.objects.filter(pk=release.pk).update(sealed=True)
    except BaseException:
        _remove_written(written)
        raise
    finally:
        freezer.close()
    release.refresh_from_db()
    return release, report


def _release_create(**fields: Any) -> Release:
    """Create the release row; a concurrent freeze of the same version that won the race
    gets the message a later freeze would get."""
    return create_unique(
        lambda: Release.objects.create(**fields),
        conflict=lambda: ReleaseExists(fields["name"], fields["version"]),
    )


def _remove_written(names: list[str]) -> None:
    """Delete the files of a freeze that failed, and the folders it made for them: a
    failed freeze leaves nothing behind, not even an empty release folder."""
    folders = set()
    for name in names:
        default_storage.delete(name)
        folders.add(posixpath.dirname(name))
    if not isinstance(default_storage, FileSystemStorage):
        return  # object stores have no folders
    root = Path(default_storage.location).resolve()
    for folder in sorted(folders, key=len, reverse=True):
        path = Path(default_storage.path(folder)).resolve()
        # Up to, not including, the top folder (`releases/`) under the media root.
        while root in path.parent.parents:
            try:
                path.rmdir()  # only when empty: another release may share the parent
            except OSError:
                break
            path = path.parent


def release_file(release: Release, split: str, fmt: str) -> ReleaseFile | None:
    return release.files.filter(split=split, format=fmt).first()


def iter_file(stored: ReleaseFile, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    with stored.file.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            yield chunk
