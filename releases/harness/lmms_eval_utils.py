"""lmms-eval helpers of a release's task folder (shipped as `lmms_eval/utils.py`).

The task YAMLs beside this file name these functions with `!function utils.<name>`. Paths
are found from this file's own place in the release folder, never from the working directory
or from how a given lmms-eval version resolves relative paths: the split's JSONL is
`../data/<split>.jsonl` (the YAML asks for it as `!function utils.data_<split>`), the videos
are `jove_<video_id>.mp4` (or `.MP4`, `.mkv`) in `SCIANNOT_VIDEO_DIR`, by default `../videos`.

Replies are read by `reply_reader.py` beside this file, the same bytes the leaderboard reads
them with: the careful rule, and the official SciVideoBench rule with its random guess for an
unreadable reply replaced by one seeded by the release and the item.

Standard library only, and nothing from sciannot (an import-linter contract there checks
it): it ships verbatim inside exports, so it keeps its own copy of the letters A–J.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
LETTERS = "ABCDEFGHIJ"
VIDEO_SUFFIXES = (".mp4", ".MP4", ".mkv")
TYPES = ("Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning")
CATEGORIES = ("Biology", "Chemistry", "Medicine", "Physics")
RULES = ("careful", "official")


def _load_reader() -> ModuleType:
    # Loaded by path: lmms-eval imports this file by path too, with no package around it.
    path = Path(__file__).resolve().with_name("reply_reader.py")
    spec = importlib.util.spec_from_file_location("sciannot_reply_reader", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the reply reader {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reader = _load_reader()
read_letter: Callable[[str, Mapping[str, str]], str | None] = reader.read_letter


def release_key() -> str:
    """What seeds the official rule's guesses, from the manifest beside the data: the same
    key the leaderboard uses, so a guessed reply scores the same in both."""
    manifest = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    key: str = reader.release_key(manifest["name"], manifest["version"])
    return key


def __getattr__(name: str) -> str:
    # `!function utils.data_test` in a task YAML: the absolute path of data/test.jsonl.
    if name.startswith("data_"):
        path = DATA / f"{name[len('data_') :]}.jsonl"
        if not path.is_file():
            raise FileNotFoundError(f"the split file {path} is missing from the release folder")
        return str(path)
    raise AttributeError(name)


def video_dir() -> Path:
    return Path(os.environ.get("SCIANNOT_VIDEO_DIR") or ROOT / "videos")


def doc_to_visual(doc: Mapping[str, Any]) -> list[str]:
    """The item's video file; a missing one stops the run, naming what was looked for."""
    folder = video_dir()
    stem = f"jove_{doc['video_id']}"
    for suffix in VIDEO_SUFFIXES:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return [str(path)]
    tried = ", ".join(f"{stem}{suffix}" for suffix in VIDEO_SUFFIXES)
    raise FileNotFoundError(
        f"Video not found: {folder / (stem + '.mp4')} (looked for {tried} in {folder}; "
        "set SCIANNOT_VIDEO_DIR to the folder of the videos)"
    )


def times_as_frames(question: str, duration: float) -> str:
    """The question with its MM:SS times as frame numbers, as the official task rewrites them
    (like it, this also rewrites a ratio written as 1:10); a video without a duration keeps
    its times."""
    if int(duration) <= 0:
        return question
    rewritten: str = reader.official_question(question, duration)
    return rewritten


def options_text(options: Mapping[str, str]) -> str:
    return "\n".join(f"{letter}. {options[letter]}" for letter in sorted(options))


def doc_to_text(
    doc: Mapping[str, Any], lmms_eval_specific_kwargs: Mapping[str, Any] | None = None
) -> str:
    kwargs = lmms_eval_specific_kwargs or {}
    question = times_as_frames(doc["question"], float(doc.get("video_duration") or 0))
    before, after = kwargs.get("pre_prompt", ""), kwargs.get("post_prompt", "")
    return f"{before}{question}\n{options_text(doc['options'])}\n{after}"


def score(doc: Mapping[str, Any], reply: str, key: str) -> dict[str, Any]:
    """One reply read both ways, with what the leaderboard needs to count it."""
    options = doc["options"]
    careful = read_letter(reply, options)
    official, guessed = reader.official_answer(reply, release=key, uid=doc["uid"])
    return {
        "uid": doc["uid"],
        "question_type": doc["question_type"],
        "category": doc["category"],
        "answer": doc["answer"],
        "careful": careful,
        "official": official,
        "guessed": guessed,
        "reply": reply,
    }


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def metric_names(
    types: tuple[str, ...] = TYPES, categories: tuple[str, ...] = CATEGORIES
) -> list[str]:
    """Overall, per type and per category, for each rule: the leaderboard's columns."""
    return [f"{rule}_{slug(part)}" for rule in RULES for part in ("overall", *types, *categories)]


def process_results(doc: Mapping[str, Any], results: list[str] | str) -> dict[str, Any]:
    reply = results[0] if isinstance(results, list) else results
    record = score(doc, reply or "", release_key())
    return dict.fromkeys(metric_names(), record)


def percent(correct: int, total: int) -> float:
    """Half-up to two decimals, as the leaderboard rounds."""
    if not total:
        return float("nan")
    exact = Decimal(correct * 100) / Decimal(total)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _aggregator(rule: str, part: str) -> Callable[[list[dict[str, Any]]], float]:
    def aggregate(records: list[dict[str, Any]]) -> float:
        chosen = [
            r
            for r in records
            if part == "overall" or part in (slug(r["question_type"]), slug(r["category"]))
        ]
        return percent(sum(r[rule] == r["answer"] for r in chosen), len(chosen))

    aggregate.__name__ = f"aggregate_{rule}_{part}"
    return aggregate


# `aggregate_careful_overall`, `aggregate_official_biology`, … named by the task YAMLs.
for _name in metric_names():
    _rule, _part = _name.split("_", 1)
    globals()[f"aggregate_{_name}"] = _aggregator(_rule, _part)
