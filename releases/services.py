"""Freezing a release and producing its exports.

A freeze reads the accepted questions matching the filters, runs the quality gate, gives each
item a `question_id` unique within its video in the release (keeping the one an item had in
the previous version of the same release), renders each item once as its exact JSON text,
and writes the items, the JSONL and JSON files, the manifest and the changelog in one
transaction that ends by sealing the release. Downloads stream those files: exporting the
same release twice gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from releases.gate import GateReport, run_gate
from releases.models import SEMVER, SPLIT_NAME, Access, Release, ReleaseFile, ReleaseItem
from releases.splits import assign_splits
from reviews.models import DecisionKind, EvidenceSpan, Option, Question, QuestionStatus
from reviews.timeparse import format_timestamp
from sciannot.accounts.models import User
from videos.models import Benchmark

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
_CHUNK = re.compile(r"(\d+)")


class ReleaseInvalid(ValueError):
    """A freeze request that cannot be carried out; the message says why."""


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


def natural_key(value: str) -> tuple[Any, ...]:
    """ "2" < "10" < "10a": digits compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in _CHUNK.split(value) if part)


def version_key(version: str) -> tuple[int, int, int, int, str]:
    main, _, pre = version.partition("-")
    major, minor, patch = (int(part) for part in main.split("."))
    # A pre-release sorts before its release.
    return major, minor, patch, 0 if pre else 1, pre


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def export_item(question: Question, question_id: str) -> dict[str, Any]:
    """A question as a release publishes it (see the export format in the README)."""
    spans = list(question.spans.all())
    if question.spans_edited:
        breakdown = []
        for span in spans:
            moment = f"{format_timestamp(span.start)}-{format_timestamp(span.end)}"
            breakdown.append(f"{moment}: {span.note}" if span.note else moment)
    else:
        breakdown = list(question.timestamp_breakdown)
    duration = question.video.duration
    item = {
        "uid": question.uid,
        "video_id": question.video.video_id,
        "question_id": question_id,
        "question": question.text,
        "options": {
            o.letter: o.text for o in sorted(question.options.all(), key=lambda o: o.letter)
        },
        "answer": question.answer,
        "question_type": question.question_type,
        "discipline": question.discipline,
        "category": question.category,
        "subject": question.subject,
        "video_duration": float(duration) if duration is not None else None,
        "timestamp_breakdown": breakdown,
        "rationale": question.rationale,
    }
    return {name: item[name] for name in ITEM_FIELDS}


def chosen_questions(benchmark: Benchmark, request: FreezeRequest) -> QuerySet[Question]:
    questions = Question.objects.filter(video__benchmark=benchmark, status=QuestionStatus.ACCEPTED)
    if request.videos:
        questions = questions.filter(video__video_id__in=request.videos)
    if request.categories:
        questions = questions.filter(category__in=request.categories)
    if request.types:
        questions = questions.filter(question_type__in=request.types)
    return (
        questions.select_related("video")
        .prefetch_related(
            Prefetch("options", queryset=Option.objects.order_by("letter")),
            Prefetch("spans", queryset=EvidenceSpan.objects.order_by("order", "pk")),
        )
        .annotate(
            accepts=Count(
                "decisions",
                filter=Q(decisions__kind=DecisionKind.ACCEPT)
                & Q(decisions__question_version=F("version")),
            )
        )
    )


def previous_release(benchmark: Benchmark, name: str, version: str) -> Release | None:
    """The highest version of the same release below `version`."""
    earlier = [
        r
        for r in Release.objects.filter(benchmark=benchmark, name=name)
        if version_key(r.version) < version_key(version)
    ]
    return max(earlier, key=lambda r: version_key(r.version), default=None)


def _assign_ids(questions: list[Question], previous: dict[str, str]) -> dict[str, str]:
    """uid -> release question_id, unique per video: kept from the previous version, else the
    question's own id when free, else the next free number."""
    by_video: dict[str, list[Question]] = defaultdict(list)
    for question in questions:
        by_video[question.video.video_id].append(question)
    assigned: dict[str, str] = {}
    for video_questions in by_video.values():
        taken: set[str] = set()
        for question in video_questions:
            kept = previous.get(question.uid)
            if kept is not None and kept not in taken:
                assigned[question.uid] = kept
                taken.add(kept)
        ordered = sorted(
            (q for q in video_questions if q.uid not in assigned),
            key=lambda q: (natural_key(q.question_id), q.pk),
        )
        for question in ordered:
            own = question.question_id.strip()
            if own and own not in taken:
                assigned[question.uid] = own
                taken.add(own)
        number = 1 + max((int(t) for t in taken if t.isdigit()), default=0)
        for question in ordered:
            if question.uid not in assigned:
                while str(number) in taken:
                    number += 1
                assigned[question.uid] = str(number)
                taken.add(str(number))
    return assigned


@dataclass
class Plan:
    """What a freeze would write: items in export order, with the gate's report."""

    questions: list[Question]
    items: list[dict[str, Any]]
    splits: list[str]
    report: GateReport
    previous: Release | None


def plan_freeze(benchmark: Benchmark, request: FreezeRequest) -> Plan:
    checks = [(SEMVER, request.version), *((SPLIT_NAME, name) for name in request.split_names)]
    for check, value in checks:
        try:
            check(value)
        except Exception as exc:
            raise ReleaseInvalid(
                f"{value!r}: {' '.join(getattr(exc, 'messages', [str(exc)]))}"
            ) from exc
    if Release.objects.filter(
        benchmark=benchmark, name=request.name, version=request.version
    ).exists():
        raise ReleaseInvalid(
            f"{request.name} {request.version} is already frozen; a new version is a new release"
        )
    questions = list(chosen_questions(benchmark, request))
    if not questions:
        raise ReleaseInvalid("no accepted item matches the filters; nothing was frozen")
    previous = previous_release(benchmark, request.name, request.version)
    kept: dict[str, str] = {}
    if previous is not None:
        kept = dict(previous.items.values_list("uid", "question_id"))
    ids = _assign_ids(questions, kept)
    rows = []
    for question in questions:
        item = export_item(question, ids[question.uid])
        rows.append(
            (
                {
                    "uid": question.uid,
                    "item": item,
                    "spans": [(s.start, s.end) for s in question.spans.all()],
                    "flags": question.flags,
                    "accepts": question.accepts,  # type: ignore[attr-defined]
                },
                question,
            )
        )
    rows.sort(
        key=lambda row: (row[0]["item"]["video_id"], natural_key(row[0]["item"]["question_id"]))
    )
    report = run_gate([row[0] for row in rows], required_accepts=benchmark.required_accepts)
    items = [row[0]["item"] for row in rows]
    splits = assign_splits(
        items,
        request.proportions or {request.split: 1.0},
        seed=request.seed,
        keep_videos_together=request.keep_videos_together,
    )
    return Plan(
        questions=[row[1] for row in rows],
        items=items,
        splits=splits,
        report=report,
        previous=previous,
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_document(
    *, name: str, version: str, split: str, sha256: str, created_at: str, lines: list[str]
) -> str:
    """The `.json` export: the items as in the JSONL, inside a header, byte for byte stable."""
    header = dumps(
        {
            "name": name,
            "version": version,
            "split": split,
            "count": len(lines),
            "sha256": sha256,
            "created_at": created_at,
        }
    )
    return header[:-1] + ', "items": [' + ", ".join(lines) + "]}\n"


def _counts(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        table[item["category"]][item["question_type"]] += 1
    return {category: dict(sorted(types.items())) for category, types in sorted(table.items())}


def changelog(previous: Release | None, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Added, removed and changed items by uid, with the fields that changed."""
    if previous is None:
        return {"previous": None, "added": [i["uid"] for i in items], "removed": [], "changed": []}
    before = {uid: json.loads(line) for uid, line in previous.items.values_list("uid", "line")}
    now = {item["uid"]: item for item in items}
    changed = []
    for uid in sorted(set(before) & set(now)):
        fields = [
            {"field": name, "before": before[uid].get(name), "after": now[uid].get(name)}
            for name in ITEM_FIELDS
            if before[uid].get(name) != now[uid].get(name)
        ]
        if fields:
            changed.append({"uid": uid, "changes": fields})
    return {
        "previous": previous.version,
        "added": sorted(set(now) - set(before)),
        "removed": sorted(set(before) - set(now)),
        "changed": changed,
    }


@dataclass
class SplitExport:
    name: str
    items: list[dict[str, Any]]
    questions: list[Question]
    lines: list[str]
    jsonl: bytes
    document: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.jsonl).hexdigest()


def _split_exports(plan: Plan, request: FreezeRequest, created_at: str) -> list[SplitExport]:
    exports = []
    for name in request.split_names:
        chosen = [n for n, split in enumerate(plan.splits) if split == name]
        items = [plan.items[n] for n in chosen]
        lines = [dumps(item) for item in items]
        jsonl = "".join(line + "\n" for line in lines).encode("utf-8")
        document = json_document(
            name=request.name,
            version=request.version,
            split=name,
            sha256=hashlib.sha256(jsonl).hexdigest(),
            created_at=created_at,
            lines=lines,
        ).encode("utf-8")
        exports.append(
            SplitExport(name, items, [plan.questions[n] for n in chosen], lines, jsonl, document)
        )
    return exports


def release_freeze(
    *, benchmark: Benchmark, request: FreezeRequest, user: User | None
) -> tuple[Release, GateReport]:
    """Freeze the plan's items into a sealed release; raises GateFailed when errors block it."""
    plan = plan_freeze(benchmark, request)
    if not plan.report.ok:
        raise GateFailed(plan.report)
    frozen_at = timezone.now().replace(microsecond=0)
    created_at = _iso(frozen_at)
    exports = _split_exports(plan, request, created_at)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "name": request.name,
        "version": request.version,
        "benchmark": benchmark.name,
        "created_at": created_at,
        "frozen_by": user.username if user else None,
        "app_version": settings.SCIANNOT_VERSION,
        "filters": {
            "videos": request.videos,
            "categories": request.categories,
            "types": request.types,
        },
        "split_plan": {
            "proportions": request.proportions or {request.split: 1.0},
            "seed": request.seed,
            "keep_videos_together": request.keep_videos_together,
        },
        "count": len(plan.items),
        "splits": {
            export.name: {
                "count": len(export.items),
                "videos": len({item["video_id"] for item in export.items}),
                "by_category_type": _counts(export.items),
                "files": {
                    f"{export.name}.jsonl": {"sha256": export.sha256, "bytes": len(export.jsonl)},
                    f"{export.name}.json": {
                        "sha256": hashlib.sha256(export.document).hexdigest(),
                        "bytes": len(export.document),
                    },
                },
            }
            for export in exports
        },
        "renumbered": {
            item["uid"]: {"from": question.question_id, "to": item["question_id"]}
            for item, question in zip(plan.items, plan.questions, strict=True)
            if item["question_id"] != question.question_id
        },
    }
    written: list[str] = []
    try:
        with transaction.atomic():
            release = Release.objects.create(
                benchmark=benchmark,
                name=request.name,
                version=request.version,
                description=request.description,
                license=request.license,
                access=request.access,
                filters=manifest["filters"],
                manifest=manifest,
                changelog=changelog(plan.previous, plan.items),
                warnings=[p.as_dict() for p in plan.report.warnings],
                previous=plan.previous,
                frozen_by=user,
                frozen_at=frozen_at,
            )
            for export in exports:
                ReleaseItem.objects.bulk_create(
                    (
                        ReleaseItem(
                            release=release,
                            split=export.name,
                            position=n,
                            uid=item["uid"],
                            video_id=item["video_id"],
                            question_id=item["question_id"],
                            original_question_id=question.question_id,
                            source=question,
                            line=line,
                        )
                        for n, (item, question, line) in enumerate(
                            zip(export.items, export.questions, export.lines, strict=True)
                        )
                    ),
                    batch_size=2000,
                )
                for fmt, content in (("jsonl", export.jsonl), ("json", export.document)):
                    stored = ReleaseFile(
                        release=release,
                        split=export.name,
                        format=fmt,
                        sha256=hashlib.sha256(content).hexdigest(),
                        size=len(content),
                    )
                    stored.file.save(f"{export.name}.{fmt}", ContentFile(content), save=False)
                    written.append(stored.file.name)
                    stored.save()
            Release.objects.filter(pk=release.pk).update(sealed=True)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    release.refresh_from_db()
    return release, plan.report


def release_file(release: Release, split: str, fmt: str) -> ReleaseFile | None:
    return release.files.filter(split=split, format=fmt).first()


def iter_file(stored: ReleaseFile, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    with stored.file.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            yield chunk
