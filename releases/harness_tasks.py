"""The harness side of a release: a VLMEvalKit TSV per split and the lmms-eval task files
(its YAML and the `releases/harness` modules shipped beside them), rendered from the stored
JSONL and manifest only, so the same release always gives the same bytes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import orjson

from releases.harness import lmms_eval_utils, reply_reader
from releases.models import Release
from sciannot.vocabulary import LETTERS

HARNESS = Path(reply_reader.__file__).resolve().parent

CATEGORY_ORDER = ("Biology", "Chemistry", "Medicine", "Physics")
TYPE_ORDER = ("Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning")

DEFAULT_PROMPT = "Answer with the option's letter from the given choices directly."


def task_name(release: Release) -> str:
    return re.sub(r"[^a-z0-9]+", "_", f"{release.name}_{release.version}".lower()).strip("_")


def harness_source(name: str) -> bytes:
    """A module of `releases/harness`, exactly as the app runs it."""
    return (HARNESS / name).read_bytes()


def default_split(release: Release) -> str:
    splits = release.splits
    return "test" if "test" in splits else splits[0]


def vlmevalkit_tsv(release: Release, split: str) -> bytes:
    """One row per item, the columns VLMEvalKit's video multiple-choice datasets read:
    `video` names the file without its extension, `l2-category` is the question type."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(
        [
            "index",
            "video",
            "question",
            *LETTERS,
            "answer",
            "category",
            "l2-category",
            "question_type",
            "uid",
            "question_id",
            "video_id",
            "video_duration",
        ]
    )
    for position, item in enumerate(
        orjson.loads(line) for line in split_jsonl(release, split).splitlines()
    ):
        writer.writerow(
            [
                position,
                f"jove_{item['video_id']}",
                item["question"],
                *[item["options"][letter] for letter in LETTERS],
                item["answer"],
                item["category"],
                item["question_type"],
                item["question_type"],
                item["uid"],
                item["question_id"],
                item["video_id"],
                item["video_duration"],
            ]
        )
    return buffer.getvalue().encode()


def split_jsonl(release: Release, split: str) -> bytes:
    stored = release.files.get(split=split, format="jsonl")
    with stored.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


METRIC_PARTS = ("overall", *TYPE_ORDER, *CATEGORY_ORDER)
DEFAULT_POST_PROMPT = "\n" + DEFAULT_PROMPT
# The official task's chain-of-thought instruction, word for word, so answers end the same way.
OFFICIAL_COT_PROMPT = (
    "\nAnswer the given question step-by-step. Begin by explaining your reasoning process "
    "clearly. Conclude by stating the final answer using the following format: “Therefore, "
    "the final answer is: $LETTER” (without quotes), where $LETTER is one of the options. "
    "Think step by step before answering."
)


def post_prompt(*, cot: bool) -> str:
    """What the exported task puts after the options: its default or chain-of-thought ask."""
    return OFFICIAL_COT_PROMPT if cot else DEFAULT_POST_PROMPT


def task_prompt(doc: dict[str, Any], *, cot: bool) -> str:
    """The text the exported lmms-eval task sends for an item (a line of the split's JSONL):
    the shipped `doc_to_text` with the post-prompt its YAML sets, so a run in the app asks
    exactly what `lmms_eval --tasks <task>` (or `<task>_cot`) asks."""
    return lmms_eval_utils.doc_to_text(doc, {"pre_prompt": "", "post_prompt": post_prompt(cot=cot)})


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def lmms_eval_yaml(release: Release, task: str, *, cot: bool) -> bytes:
    split = default_split(release)
    sha = release.manifest["splits"][split]["files"][f"{split}.jsonl"]["sha256"]
    metrics = "".join(
        f"  - metric: {rule}_{_slug(part)}\n"
        f"    aggregation: !function utils.aggregate_{rule}_{_slug(part)}\n"
        "    higher_is_better: true\n"
        for rule in ("careful", "official")
        for part in METRIC_PARTS
    )
    name = f"{task}_cot" if cot else task
    prompt = post_prompt(cot=cot)
    # Greedy as the official task; a chain of thought gets room for several paragraphs.
    tokens = 4096 if cot else 16
    return f"""# lmms-eval task for {release.name} {release.version} ({split}), made by sciannot.
# The data path comes from utils.py (its own folder), never from the working directory.
task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    {split}: !function utils.data_{split}
test_split: {split}
output_type: generate_until
doc_to_visual: !function utils.doc_to_visual
doc_to_text: !function utils.doc_to_text
doc_to_target: answer
generation_kwargs:
  max_new_tokens: {tokens}
  temperature: 0
  top_p: 1.0
  num_beams: 1
  do_sample: false
process_results: !function utils.process_results
metric_list:
{metrics}lmms_eval_specific_kwargs:
  default:
    pre_prompt: ""
    post_prompt: {json.dumps(prompt, ensure_ascii=False)}
metadata:
  version: {json.dumps(release.version)}
  sha256: {sha}
""".encode()


def lmms_eval_group_yaml(task: str) -> bytes:
    return f"group: {task}_group\ntask:\n  - {task}\n  - {task}_cot\n".encode()
