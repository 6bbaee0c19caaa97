"""The demo's life cycle past review, from `demo/data/lifecycle.json`, through the apps' services.

    demo/data/
      lifecycle.json                    what happens to the seeded questions:
        decisions                       reviewers' decisions on draft items ("video/question_id"):
                                        two accepts make an item accepted, an accept and a
                                        reject send it to adjudication
        release                         the frozen release of every accepted item, in splits
        studies                         human-baseline studies over its splits: the evaluators,
                                        each one's answers by item, and whether it is closed
        models                          imported model runs: a model name and its file
      predictions/<model>.jsonl         a model's replies, one line per item:
                                        {"video_id", "question_id", "prediction"}

Two steps. `demo_decide` records the decisions; it needs no media and runs with the rest of
the seed. `demo_lifecycle` freezes the release, opens, answers and closes the studies and
imports the model runs; a freeze records every video's file checksum, so it runs only once
every demo video has its file (at the end of an inline seed, or in the worker that stores the
last file). Both are idempotent: the decisions already made are skipped, and the second step
is one transaction under the benchmark's row lock that does nothing once its release exists.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from baselines.predictions import import_predictions
from baselines.services import show_item, study_close, study_open, submit_answer
from releases.freeze import release_freeze
from releases.models import Release, ReleaseItem
from releases.rows import FreezeRequest
from reviews.models import Decision, Question
from reviews.services.decisions import question_decide
from sciannot.accounts.models import User
from videos.models import Benchmark, Video

DATA_DIR = Path(__file__).resolve().parent / "data"


class LifecycleDataError(ValueError):
    """`lifecycle.json` or a predictions file is not what the demo's questions need."""


@dataclass(frozen=True)
class LifecycleOutcome:
    decisions: int = 0
    release: Release | None = None
    studies: int = 0
    models: int = 0


def load_lifecycle(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    path = data_dir / "lifecycle.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LifecycleDataError(f"{path.name}: missing from {path.parent}") from exc
    except json.JSONDecodeError as exc:
        raise LifecycleDataError(f"{path.name}: not valid JSON ({exc})") from exc
    wanted = {"decisions", "release", "studies", "models"}
    if not isinstance(data, dict) or set(data) != wanted:
        raise LifecycleDataError(f"{path.name}: expected the keys {', '.join(sorted(wanted))}")
    return data


def item_key(video_id: str, question_id: str) -> str:
    return f"{video_id}/{question_id}"


def _question(benchmark: Benchmark, key: str) -> Question:
    video_id, _, question_id = key.partition("/")
    found = list(
        Question.objects.filter(
            video__benchmark=benchmark, video__video_id=video_id, question_id=question_id
        )[:2]
    )
    if len(found) != 1:
        raise LifecycleDataError(f"lifecycle.json: {key} names {len(found)} questions, not one")
    return found[0]


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise LifecycleDataError(f"lifecycle.json: no account {username!r} (see accounts.json)")
    return user


def demo_decide(*, benchmark: Benchmark, data_dir: Path = DATA_DIR) -> int:
    """Record the reviewers' decisions that are missing; how many were recorded. A reviewer
    who has decided on the item before (on whatever version) is left alone."""
    made = 0
    for entry in load_lifecycle(data_dir)["decisions"]:
        question = _question(benchmark, entry["item"])
        reviewer = _user(entry["reviewer"])
        if Decision.objects.filter(question=question, reviewer=reviewer).exists():
            continue
        question_decide(
            question=question,
            reviewer=reviewer,
            kind=entry["kind"],
            seen_version=question.version,
            reason=entry.get("reason", ""),
            comment=entry.get("comment", ""),
        )
        made += 1
    return made


def demo_media_complete(benchmark: Benchmark, video_ids: list[str]) -> bool:
    """Whether every one of these demo videos exists with its file."""
    have = (
        Video.objects.filter(benchmark=benchmark, video_id__in=video_ids)
        .exclude(original="")
        .count()
    )
    return have == len(set(video_ids))


def _released(release: Release) -> dict[int, str]:
    """The release's items (by pk) as "video/question_id" of their source question."""
    rows = ReleaseItem.objects.filter(release=release).values_list(
        "pk", "source__video__video_id", "source__question_id"
    )
    return {pk: item_key(video_id, question_id) for pk, video_id, question_id in rows}


def _run_study(release: Release, spec: dict[str, Any], benchmark: Benchmark) -> None:
    evaluators = [_user(name) for name in spec["evaluators"]]
    study = study_open(
        benchmark=benchmark,
        name=spec["name"],
        release=release,
        split=spec["split"],
        evaluators=evaluators,
        user=release.frozen_by,
    )
    keys = _released(release)
    for participation in study.participants.select_related("evaluator"):
        answers = spec["answers"].get(participation.evaluator.username, {})
        if not answers:
            continue
        while (shown := show_item(participation)) is not None:
            key = keys[participation.order[shown.position]]
            if key not in answers:
                raise LifecycleDataError(
                    f"lifecycle.json: {participation.evaluator.username} has no answer for {key}"
                )
            submit_answer(participation=participation, position=shown.position, letter=answers[key])
    if spec["closed"]:
        study_close(study)


def _import_run(release: Release, spec: dict[str, Any], data_dir: Path) -> None:
    """Import a model's replies, written as the `{"uid", "prediction"}` lines the importer
    reads, for the items of the run's split."""
    path = data_dir / spec["file"]
    uids = {
        item_key(video_id, question_id): uid
        for uid, video_id, question_id in ReleaseItem.objects.filter(
            release=release, split=spec["split"]
        ).values_list("uid", "source__video__video_id", "source__question_id")
    }
    lines = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LifecycleDataError(f"{spec['file']}: missing") from exc
    for raw in text.splitlines():
        record = json.loads(raw)
        key = item_key(record["video_id"], record["question_id"])
        if key not in uids:
            continue
        lines.append(json.dumps({"uid": uids[key], "prediction": record["prediction"]}))
    if not lines:
        raise LifecycleDataError(f"{spec['file']}: no line names an item of the split")
    import_predictions(
        release=release,
        split=spec["split"],
        model=spec["model"],
        handle=io.BytesIO(("\n".join(lines) + "\n").encode()),
        file_name=path.name,
        user=release.frozen_by,
    )


def demo_lifecycle(
    *,
    benchmark: Benchmark,
    video_ids: list[str],
    data_dir: Path = DATA_DIR,
    log: Callable[[str], None] = lambda message: None,
) -> LifecycleOutcome:
    """Freeze the demo release, run its studies and import its model runs, once: nothing when
    a demo video still lacks its file or when the release exists already."""
    data = load_lifecycle(data_dir)
    spec = data["release"]
    release_exists = Release.objects.filter(
        benchmark=benchmark, name=spec["name"], version=spec["version"]
    ).exists
    # Checked first without a transaction, so that the common answer (not yet, or done
    # already) takes no lock; then again under the lock.
    if not demo_media_complete(benchmark, video_ids) or release_exists():
        return LifecycleOutcome()
    with transaction.atomic():
        # One worker (or seed_demo run) at a time gets past this; the others find the release.
        Benchmark.objects.select_for_update().filter(pk=benchmark.pk).values_list("pk").get()
        if not demo_media_complete(benchmark, video_ids) or release_exists():
            return LifecycleOutcome()
        release, _ = release_freeze(
            benchmark=benchmark,
            request=FreezeRequest(
                name=spec["name"],
                version=spec["version"],
                description=spec["description"],
                license=spec["license"],
                proportions=spec["proportions"],
                seed=spec["seed"],
            ),
            user=_user(spec["frozen_by"]),
        )
        log(f"Froze {release.name} {release.version} ({', '.join(release.splits)}).")
        for study in data["studies"]:
            _run_study(release, study, benchmark)
        log(f"Ran {len(data['studies'])} baseline studies.")
        for run in data["models"]:
            _import_run(release, run, data_dir)
        log(f"Imported {len(data['models'])} model runs.")
    return LifecycleOutcome(
        release=release, studies=len(data["studies"]), models=len(data["models"])
    )
