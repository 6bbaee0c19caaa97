"""The rows a freeze takes and how each becomes an export item.

`FreezeRequest` says which accepted questions go in; `stream_items` reads them in export order
(by video id, then the natural order of release question ids) in one streamed query, gives each
item its release `question_id`, and renders it with its fields in the order harnesses read.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import connection
from django.db.models import Count, F, QuerySet
from django.db.models.expressions import RawSQL

from releases.models import Access
from releases.ordering import natural_key
from reviews.models import Decision, DecisionKind, Question, QuestionStatus
from reviews.timeparse import format_timestamp
from videos.models import Benchmark

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
