"""Reading the leaderboards (which release splits have one, and what each holds) and
gathering a split's answers for its item analysis."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count

from baselines.item_analysis import (
    HUMANS,
    MODELS,
    NOT_ANSWERED,
    Item,
    Matrix,
    Respondent,
    analyse_matrix,
    letter_code,
)
from baselines.models import Answer, ModelRun, Prediction, Study
from baselines.predictions import split_facts
from releases.models import Release, ReleaseItem
from videos.models import Benchmark


@dataclass(frozen=True)
class BoardEntry:
    """One release split of the leaderboard index, with how many models and studies it has."""

    release: Release
    split: str
    models: int
    studies: int


def board_entries(benchmark: Benchmark) -> list[BoardEntry]:
    """Every split of every frozen release of `benchmark` (by name, newest first), each with
    its count of imported models and of human-baseline studies; splits without any too."""
    releases = Release.objects.filter(benchmark=benchmark, sealed=True).order_by(
        "name", "-frozen_at"
    )
    runs = {
        (row["release"], row["split"]): row["n"]
        for row in ModelRun.objects.filter(release__benchmark=benchmark)
        .values("release", "split")
        .annotate(n=Count("pk"))
    }
    studies = {
        (row["release"], row["split"]): row["n"]
        for row in Study.objects.filter(release__benchmark=benchmark)
        .values("release", "split")
        .annotate(n=Count("pk"))
    }
    return [
        BoardEntry(
            release=release,
            split=split,
            models=runs.get((release.pk, split), 0),
            studies=studies.get((release.pk, split), 0),
        )
        for release in releases
        for split in release.splits
    ]


def board_runs(release: Release, split: str) -> dict[str, ModelRun]:
    """The models imported or run in the app for a release split, by model name."""
    return {
        run.model: run
        for run in ModelRun.objects.filter(release=release, split=split).select_related(
            "evaluation"
        )
    }


# A run's input shows in its name's suffix ("demo-llm (text only)"; `evaluate_model` names a
# run for its input mode the same way): text runs never saw the video.
_TEXT_ONLY = re.compile(r"\((?:text|text[ -]only|text input)\)\s*$", re.IGNORECASE)


def run_is_text_only(run: ModelRun) -> bool:
    """Whether the run answered from the question's text alone, without the video."""
    mode = (run.run_settings or {}).get("input")
    if isinstance(mode, str) and mode:
        return mode == "text"
    return bool(_TEXT_ONLY.search(run.model))


def split_item_analysis(release: Release, split: str) -> dict[str, Any]:
    """The item analysis of a release split from every human answer (all studies over it)
    and every model run (replies as the careful reader scored them on import; an item a run
    had no line for is not counted as answered). Each item also carries its position and the
    uid of the question it was frozen from (for a link to its review page)."""
    facts = split_facts(release, split)
    items = [Item(uid=fact.uid, key=fact.answer, options=fact.options) for fact in facts]
    column = {fact.pk: j for j, fact in enumerate(facts)}
    respondents: dict[str, Respondent] = {}
    # Answers as columns of plain values, then one array each: no object per answer.
    rows: list[int] = []
    columns: list[int] = []
    letters: list[int] = []
    correct: list[bool] = []
    seconds: list[float] = []
    answers = (
        Answer.objects.filter(
            participation__study__release=release,
            participation__study__split=split,
            answered_at__isnull=False,
        )
        .values_list(
            "participation_id",
            "participation__evaluator__username",
            "participation__study__name",
        )
        .distinct()
        .order_by("participation_id")
    )
    for participation, username, study in answers:
        respondents[f"h{participation}"] = Respondent(
            id=f"h{participation}", group=HUMANS, name=f"{username} ({study})"
        )
    row_of = {int(rid[1:]): i for i, rid in enumerate(respondents)}
    nan = math.nan
    for participation, item, letter, right, secs in (
        Answer.objects.filter(
            participation__study__release=release,
            participation__study__split=split,
            answered_at__isnull=False,
        )
        .values_list("participation_id", "item_id", "letter", "correct", "seconds")
        .order_by("participation_id", "position")
        .iterator(chunk_size=20_000)
    ):
        j = column.get(item)
        if j is None:
            continue
        rows.append(row_of[participation])
        columns.append(j)
        letters.append(letter_code(letter))
        correct.append(right)
        seconds.append(nan if secs is None else secs)
    for run in ModelRun.objects.filter(release=release, split=split).order_by("model"):
        rid = f"m{run.pk}"
        row = len(respondents)
        respondents[rid] = Respondent(
            id=rid, group=MODELS, name=run.model, text_only=run_is_text_only(run)
        )
        predictions = (
            Prediction.objects.filter(run=run, missing=False)
            .values_list("item_id", "careful_letter", "careful_correct")
            .order_by("item_id")
        )
        for item, letter, right in predictions.iterator(chunk_size=20_000):
            j = column.get(item)
            if j is None:
                continue
            rows.append(row)
            columns.append(j)
            letters.append(letter_code(letter))
            correct.append(right)
            seconds.append(nan)
    shape = (len(respondents), len(items))
    matrix = Matrix(
        letters=np.full(shape, NOT_ANSWERED, dtype=np.int8),
        correct=np.zeros(shape, dtype=np.bool_),
        seconds=np.full(shape, np.nan),
    )
    at = (np.array(rows, dtype=np.intp), np.array(columns, dtype=np.intp))
    matrix.letters[at] = np.array(letters, dtype=np.int8)
    matrix.correct[at] = np.array(correct, dtype=np.bool_)
    assert matrix.seconds is not None
    matrix.seconds[at] = np.array(seconds, dtype=np.float64)
    analysis = analyse_matrix(items, list(respondents.values()), matrix)
    sources = dict(
        ReleaseItem.objects.filter(release=release, split=split).values_list("pk", "source__uid")
    )
    for position, (fact, row) in enumerate(zip(facts, analysis["items"], strict=True)):
        row["position"] = position
        row["question_type"] = fact.question_type
        row["category"] = fact.category
        row["question"] = sources.get(fact.pk)
    analysis["split"].update(release=release.name, version=release.version, split=split)
    analysis["split"]["models"] = [
        {"name": r.name, "text_only": r.text_only}
        for r in respondents.values()
        if r.group == MODELS
    ]
    return analysis
