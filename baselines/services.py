"""Opening a blind baseline study, serving its items, taking answers, and its table.

An evaluator sees an item exactly as a model does: the question as released and its ten
options (and the video and transcript when the study allows, with where its evidence lies on
the timeline), read from the release's stored export. The key, rationale, evidence notes,
review history and other people's answers never leave the server. Answers are final; the
clock of an item starts when it is first shown and the time limit is enforced here, not in
the browser.
"""

from __future__ import annotations

import random
import secrets
import statistics
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from baselines.models import Answer, Participation, Study, StudyStatus
from baselines.scoring import Scored, chance_row, krippendorff_alpha, score_row
from releases.access import lock_benchmark
from releases.export import LineReader
from releases.models import Access, Release, ReleaseItem, ReleaseStatus
from reviews.timeparse import TimeExpressionError, parse_breakdown_entry
from sciannot.accounts.models import Role, User
from sciannot.accounts.permissions import has_role
from sciannot.conflicts import Conflict, create_unique
from sciannot.inputs import INT32_MAX, check_length
from sciannot.vocabulary import LETTERS
from videos.models import Benchmark

# Slack for the round trip of a submission made as the time runs out.
GRACE_SECONDS = 3.0


class StudyInvalid(ValueError):
    """A study that cannot be opened as asked; the message says why."""


class StudyExists(StudyInvalid, Conflict):
    """The name is taken (found first, or by a study opened at the same moment)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"a study named {name!r} already exists")


class AnswerRefused(ValueError):
    """An answer that cannot be taken (already answered, not the current item, …)."""


@dataclass(frozen=True)
class EvidenceTimes:
    """Where an item's evidence lies in the video, without its note (notes can name the key)."""

    start: float
    end: float


@dataclass(frozen=True)
class ShownItem:
    """What an evaluator may see of an item: nothing that gives the answer away."""

    position: int
    total: int
    video_id: str
    question: str
    options: dict[str, str]
    video_duration: float | None
    seconds_left: float | None
    evidence: tuple[EvidenceTimes, ...] = ()


def evidence_times(line: dict[str, Any]) -> tuple[EvidenceTimes, ...]:
    """The time spans of a released item's timestamp breakdown; entries without a readable
    time are left out, and so is every note."""
    breakdown = line.get("timestamp_breakdown") or []
    spans = []
    for entry in breakdown if isinstance(breakdown, list) else []:
        if not isinstance(entry, str):
            continue
        try:
            ref, _note = parse_breakdown_entry(entry)
        except TimeExpressionError:
            continue
        if ref is not None:
            spans.append(EvidenceTimes(ref.start, ref.end))
    return tuple(spans)


def study_open(
    *,
    benchmark: Benchmark,
    name: str,
    release: Release,
    split: str = "test",
    evaluators: list[User],
    show_video: bool = True,
    show_transcript: bool = True,
    time_limit: int | None = None,
    allow_rewatch: bool = True,
    sample_size: int | None = None,
    seed: int = 0,
    user: User | None = None,
) -> Study:
    name = name.strip()
    if not name:
        raise StudyInvalid("a study needs a name")
    too_long = check_length(name, kind="name", what="the study's name")
    if too_long:
        raise StudyInvalid(too_long)
    # The columns are 32-bit: a larger value would fail in the database, not here.
    for what, value in (("the time limit", time_limit), ("the seed", seed)):
        if value is not None and not 0 <= value <= INT32_MAX:
            raise StudyInvalid(f"{what} must be between 0 and {INT32_MAX}")
    if Study.objects.filter(benchmark=benchmark, name=name).exists():
        raise StudyExists(name)
    if not release.sealed or release.status == ReleaseStatus.DEPRECATED:
        raise StudyInvalid(f"{release.name} {release.version} is not a current frozen release")
    items = list(
        ReleaseItem.objects.filter(release=release, split=split)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    if not items:
        raise StudyInvalid(f"{release.name} {release.version} has no split {split!r}")
    if sample_size is not None:
        if not 0 < sample_size <= len(items):
            raise StudyInvalid(f"the sample must be 1 to {len(items)} items, not {sample_size}")
        # Seeded on purpose: the same study seed draws the same items.
        chosen = set(random.Random(seed).sample(items, sample_size))  # noqa: S311
        items = [pk for pk in items if pk in chosen]
    if time_limit is not None and time_limit <= 0:
        raise StudyInvalid("a time limit is a number of seconds above 0")
    if not evaluators:
        raise StudyInvalid("a study needs at least one evaluator")
    for person in evaluators:
        if not has_role(person, Role.EVALUATOR) or person.is_superuser:
            raise StudyInvalid(
                f"{person.username} is not an active evaluator account (reviewers and curators "
                "have seen the keys)"
            )
    with transaction.atomic():
        # Locked in the order access changes and freezes take them, so no release can be
        # opened up, and no evaluator made a reviewer, while the study is being opened.
        lock_benchmark(benchmark.pk)
        release = Release.objects.select_for_update().get(pk=release.pk)
        locked = User.objects.select_for_update().filter(pk__in=[p.pk for p in evaluators])
        for person in locked:
            if not has_role(person, Role.EVALUATOR) or person.is_superuser:
                raise StudyInvalid(f"{person.username} is no longer an active evaluator account")
        _refuse_open_keys(
            release=release,
            split=split,
            items=items if sample_size is not None else None,
            evaluators=evaluators,
        )
        study = create_unique(
            lambda: Study.objects.create(
                benchmark=benchmark,
                name=name,
                release=release,
                split=split,
                show_video=show_video,
                show_transcript=show_transcript,
                time_limit=time_limit,
                allow_rewatch=allow_rewatch,
                sample_size=sample_size,
                seed=seed,
                items=items,
                created_by=user,
            ),
            conflict=lambda: StudyExists(name),
        )
        for person in evaluators:
            person_seed = secrets.randbits(32)
            order = list(items)
            random.Random(person_seed).shuffle(order)  # noqa: S311 - reproducible order
            Participation.objects.create(
                study=study, evaluator=person, order=order, seed=person_seed
            )
    return study


def _refuse_open_keys(
    *, release: Release, split: str, items: list[int] | None, evaluators: list[User]
) -> None:
    """Refuse a study whose evaluators can already download one of its questions' keys: from
    this release or any other release or version carrying the same question."""
    study_items = ReleaseItem.objects.filter(release=release, split=split)
    if items is not None:
        study_items = study_items.filter(pk__in=items)
    holding = Release.objects.filter(
        benchmark_id=release.benchmark_id,
        sealed=True,
        items__source_id__in=study_items.values("source_id"),
    ).distinct()
    public = holding.filter(access=Access.PUBLIC).order_by("name", "version").first()
    if public is not None:
        same = "" if public.pk == release.pk else ", which holds questions of this study,"
        raise StudyInvalid(
            f"{public.name} {public.version}{same} is public: anyone, evaluators included, "
            "could download its keys; make it curators-only or named-users first"
        )
    for person in evaluators:
        readable = (
            holding.filter(access=Access.NAMED, readers=person).order_by("name", "version").first()
        )
        if readable is not None:
            raise StudyInvalid(
                f"{person.username} may download {readable.name}"
                + ("" if readable.pk == release.pk else f" {readable.version}")
                + ", keys included"
                + ("" if readable.pk == release.pk else ", which holds questions of this study")
            )


def open_studies_of(user: Any) -> QuerySet[Participation]:
    return Participation.objects.filter(
        evaluator=user, study__status=StudyStatus.OPEN
    ).select_related("study")


def answered_positions(participation: Participation) -> set[int]:
    return set(
        participation.answers.filter(answered_at__isnull=False).values_list("position", flat=True)
    )


def current_position(participation: Participation) -> int | None:
    """The first item of the evaluator's order not yet answered; None when all are."""
    done = answered_positions(participation)
    return next((n for n in range(len(participation.order)) if n not in done), None)


def _line(item: ReleaseItem) -> dict[str, Any]:
    reader = LineReader(item.release)
    try:
        return reader.read(item.split, item.offset, item.length)
    finally:
        reader.close()


def _seconds_left(study: Study, answer: Answer) -> float | None:
    if study.time_limit is None:
        return None
    used = (timezone.now() - answer.opened_at).total_seconds()
    return max(0.0, study.time_limit - used)


def show_item(participation: Participation) -> ShownItem | None:
    """The evaluator's current item (its clock starts the first time it is shown); None when
    every item is answered. An item whose time ran out while away is closed first."""
    study = participation.study
    while True:
        position = current_position(participation)
        if position is None:
            if participation.finished_at is None:
                Participation.objects.filter(pk=participation.pk).update(finished_at=timezone.now())
            return None
        item = ReleaseItem.objects.select_related("release").get(pk=participation.order[position])
        now = timezone.now()
        answer, _ = Answer.objects.get_or_create(
            participation=participation,
            item=item,
            defaults={"position": position, "opened_at": now},
        )
        if participation.started_at is None:
            Participation.objects.filter(pk=participation.pk, started_at__isnull=True).update(
                started_at=now
            )
            participation.started_at = now
        left = _seconds_left(study, answer)
        if left is not None and left <= 0:
            _close(answer, letter="", line=None)
            continue
        line = _line(item)
        return ShownItem(
            position=position,
            total=len(participation.order),
            video_id=line["video_id"],
            question=line["question"],
            options=dict(line["options"]),
            video_duration=line.get("video_duration"),
            seconds_left=left,
            evidence=evidence_times(line),
        )


def _close(answer: Answer, *, letter: str, line: dict[str, Any] | None) -> None:
    now = timezone.now()
    answer.answered_at = now
    answer.letter = letter
    answer.timed_out = not letter
    answer.correct = bool(letter) and line is not None and letter == line["answer"]
    answer.seconds = (now - answer.opened_at).total_seconds()
    answer.save(update_fields=["answered_at", "letter", "timed_out", "correct", "seconds"])


def submit_answer(*, participation: Participation, position: int, letter: str) -> Answer:
    """Take the evaluator's answer to the item at `position` of their order. Final: a second
    answer is refused. After the time limit (and a little grace) the item counts as
    unanswered whatever was sent."""
    study = participation.study
    if study.status != StudyStatus.OPEN:
        raise AnswerRefused("this study is closed")
    letter = letter.strip().upper()
    with transaction.atomic():
        try:
            answer = (
                Answer.objects.select_for_update()
                .select_related("item__release")
                .get(participation=participation, position=position)
            )
        except Answer.DoesNotExist as exc:
            raise AnswerRefused("that item has not been shown to you yet") from exc
        if answer.answered_at is not None:
            raise AnswerRefused("that item is already answered; answers are final")
        late = study.time_limit is not None and (
            (timezone.now() - answer.opened_at).total_seconds() > study.time_limit + GRACE_SECONDS
        )
        if late:
            _close(answer, letter="", line=None)
            return answer
        if letter not in LETTERS:
            if letter == "" and study.time_limit is not None and _seconds_left(study, answer) == 0:
                _close(answer, letter="", line=None)
                return answer
            raise AnswerRefused("choose one of the options A–J")
        _close(answer, letter=letter, line=_line(answer.item))
    return answer


def study_close(study: Study) -> None:
    Study.objects.filter(pk=study.pk, status=StudyStatus.OPEN).update(
        status=StudyStatus.CLOSED, closed_at=timezone.now()
    )
    study.refresh_from_db()


@dataclass(frozen=True)
class Progress:
    username: str
    answered: int
    total: int
    median_seconds: float | None
    finished: bool


def study_progress(study: Study) -> list[Progress]:
    rows = []
    for participation in study.participants.select_related("evaluator"):
        seconds = [
            s
            for s in participation.answers.filter(answered_at__isnull=False).values_list(
                "seconds", flat=True
            )
            if s is not None
        ]
        rows.append(
            Progress(
                username=participation.evaluator.username,
                answered=len(seconds),
                total=len(participation.order),
                median_seconds=statistics.median(seconds) if seconds else None,
                finished=participation.finished_at is not None,
            )
        )
    return rows


def study_report(study: Study) -> dict[str, Any]:
    """SciVideoBench's table for the study: a row per evaluator, `pooled` and `chance`, and
    Krippendorff's alpha over items two or more evaluators answered."""
    facts: dict[int, tuple[str, str]] = {}
    reader = LineReader(study.release)
    try:
        for item in ReleaseItem.objects.filter(pk__in=study.items):
            line = reader.read(item.split, item.offset, item.length)
            facts[item.pk] = (line["question_type"], line["category"])
    finally:
        reader.close()
    answers = list(
        Answer.objects.filter(participation__study=study, answered_at__isnull=False)
        .select_related("participation__evaluator")
        .order_by("participation__evaluator__username", "position")
    )
    per_person: dict[str, list[Scored]] = {}
    units: dict[int, dict[str, str]] = {}
    for answer in answers:
        question_type, category = facts[answer.item_id]
        username = answer.participation.evaluator.username
        per_person.setdefault(username, []).append(Scored(question_type, category, answer.correct))
        if answer.letter:
            units.setdefault(answer.item_id, {})[username] = answer.letter
    rows = [score_row(name, scored).as_dict() for name, scored in per_person.items()]
    rows.append(
        score_row("pooled", [s for scored in per_person.values() for s in scored]).as_dict()
    )
    rows.append(chance_row())
    alpha = krippendorff_alpha(units)
    return {
        "study": study.name,
        "release": study.release.name,
        "version": study.release.version,
        "split": study.split,
        "rows": rows,
        "krippendorff_alpha": round(alpha, 4) if alpha is not None else None,
    }


def study_videos_q(user: Any) -> Q:
    """The videos an evaluator may play: those of the items of their open studies that show
    the video (as `Video` filter)."""
    condition = Q(pk__in=[])
    for participation in open_studies_of(user).filter(study__show_video=True):
        video_ids = ReleaseItem.objects.filter(pk__in=participation.study.items).values("video_id")
        condition |= Q(benchmark_id=participation.study.benchmark_id, video_id__in=video_ids)
    return condition
