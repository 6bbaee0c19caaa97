"""Files made from a frozen release for people and harnesses: the manifest and changelog as
JSON and Markdown, a dataset card, a VLMEvalKit TSV per split and an lmms-eval task folder.

Each is rendered from the release's stored snapshot and manifest only, deterministically
(sorted keys, fixed zip timestamps), so the same release always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

import orjson

from releases.models import Release

LETTERS = "ABCDEFGHIJ"
RESERVED = ("manifest", "changelog", "readme", "lmms-eval")
CATEGORY_ORDER = ("Biology", "Chemistry", "Medicine", "Physics")
TYPE_ORDER = ("Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning")

DEFAULT_PROMPT = "Answer with the option's letter from the given choices directly."
COT_PROMPT = (
    "Think step by step about what the video shows at the times cited, then give the final "
    "answer as 'The answer is X', where X is the option's letter."
)


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def task_name(release: Release) -> str:
    return re.sub(r"[^a-z0-9]+", "_", f"{release.name}_{release.version}".lower()).strip("_")


def _counts_table(split: dict[str, Any]) -> list[str]:
    table = split.get("by_category_type", {})
    lines = [
        "| category | " + " | ".join(t.split()[0] for t in TYPE_ORDER) + " | total |",
        "|---|" + "---|" * (len(TYPE_ORDER) + 1),
    ]
    for category in CATEGORY_ORDER:
        row = table.get(category, {})
        if not row:
            continue
        cells = [str(row.get(t, 0)) for t in TYPE_ORDER]
        lines.append(f"| {category} | " + " | ".join(cells) + f" | {sum(row.values())} |")
    return lines


def video_files_table(release: Release) -> list[str]:
    """The videos' files as the release was frozen over them, to check local copies against;
    empty for a release frozen before checksums were recorded."""
    files = release.manifest.get("video_files") or {}
    if not files:
        return []
    lines = ["| video | bytes | sha256 |", "|---|---|---|"]
    for video_id, facts in sorted(files.items()):
        if facts.get("sha256"):
            lines.append(f"| `{video_id}` | {facts['bytes']} | `{facts['sha256']}` |")
        else:
            lines.append(f"| `{video_id}` | | no file when frozen |")
    return lines


def manifest_markdown(release: Release) -> bytes:
    manifest = release.manifest
    lines = [
        f"# {release.name} {release.version} — manifest",
        "",
        f"- schema version: {manifest['schema_version']}",
        f"- frozen: {manifest['created_at']}"
        + (f" by {manifest['frozen_by']}" if manifest.get("frozen_by") else ""),
        f"- sciannot {manifest['app_version']}",
        f"- items: {manifest['count']}",
        f"- status: {release.get_status_display().lower()}",
        "",
    ]
    for name, split in sorted(manifest["splits"].items()):
        lines += [f"## Split `{name}`: {split['count']} items, {split['videos']} videos", ""]
        lines += _counts_table(split)
        lines += ["", "| file | bytes | sha256 |", "|---|---|---|"]
        for filename, facts in sorted(split["files"].items()):
            lines.append(f"| `{filename}` | {facts['bytes']} | `{facts['sha256']}` |")
        lines.append("")
    videos = video_files_table(release)
    if videos:
        lines += ["## Video files", "", *videos, ""]
    if manifest.get("renumbered"):
        lines += [
            "## Renumbered question ids",
            "",
            "Items whose `question_id` was already taken in their video got a new one:",
            "",
            "| uid | source id | release id |",
            "|---|---|---|",
        ]
        for uid, change in sorted(manifest["renumbered"].items()):
            lines.append(f"| `{uid}` | {change['from']} | {change['to']} |")
        lines.append("")
    return "\n".join(lines).encode()


def changelog_markdown(release: Release) -> bytes:
    log = release.changelog
    lines = [f"# {release.name} {release.version} — changes", ""]
    if not log.get("previous"):
        lines += [f"The first version: {len(log.get('added', []))} items.", ""]
        return "\n".join(lines).encode()
    lines += [
        f"Since {log['previous']}: {len(log['added'])} added, {len(log['removed'])} removed, "
        f"{len(log['changed'])} changed.",
        "",
    ]
    for title, uids in (("Added", log["added"]), ("Removed", log["removed"])):
        if uids:
            lines += [f"## {title}", "", *[f"- `{uid}`" for uid in uids], ""]
    if log["changed"]:
        lines += ["## Changed", ""]
        for entry in log["changed"]:
            fields = ", ".join(change["field"] for change in entry["changes"])
            lines.append(f"- `{entry['uid']}`: {fields}")
        lines.append("")
    return "\n".join(lines).encode()


def dataset_card(release: Release) -> bytes:
    manifest = release.manifest
    splits = sorted(manifest["splits"])
    lines = [
        "---",
        f"pretty_name: {release.name} {release.version}",
        "task_categories: [video-text-to-text, multiple-choice]",
        "language: [en]",
        f"size_categories: [{_size_category(manifest['count'])}]",
        "configs:",
        "  - config_name: default",
        "    data_files:",
        *[f"      - split: {name}\n        path: {name}.jsonl" for name in splits],
        "---",
        "",
        f"# {release.name} {release.version}",
        "",
        release.description
        or "A video-reasoning benchmark of ten-option multiple-choice "
        "questions about scientific experiment videos.",
        "",
        "## Contents",
        "",
        f"{manifest['count']} questions, frozen {manifest['created_at']}. Each question has ten "
        "options (A–J) with exactly one correct, cites moments of its video as MM:SS, and is "
        "one of three types: Conceptual, Hypothetical or Quantitative Reasoning.",
        "",
    ]
    for name in splits:
        split = manifest["splits"][name]
        lines += [f"### `{name}`: {split['count']} items, {split['videos']} videos", ""]
        lines += _counts_table(split)
        lines.append("")
    lines += [
        "## Format",
        "",
        "`<split>.jsonl` has one JSON object per line, sorted by `video_id` and then the natural "
        "order of `question_id`: `uid` (stable across versions), `video_id`, `question_id` "
        "(unique within its video), `question`, `options` (A–J), `answer`, `question_type`, "
        "`discipline`, `category`, `subject`, `video_duration` (seconds), "
        "`timestamp_breakdown` and `rationale`. `<split>.json` holds the same items with the "
        "release's name, version, count, sha256 and freeze time.",
        "",
        "## Integrity",
        "",
        "| file | sha256 |",
        "|---|---|",
    ]
    for name in splits:
        for filename, facts in sorted(manifest["splits"][name]["files"].items()):
            lines.append(f"| `{filename}` | `{facts['sha256']}` |")
    videos = video_files_table(release)
    if videos:
        lines += [
            "",
            "The videos (`jove_<video_id>.mp4` and the like) are not in this repository; the "
            "release was frozen over these files, and `sha256sum` of yours should match:",
            "",
            *videos,
        ]
    lines += ["", "## License", "", release.license or "Not stated.", ""]
    return "\n".join(lines).encode()


def _size_category(count: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if count < limit:
            return label
    return "100K<n<1M"


def vlmevalkit_tsv(release: Release, split: str) -> bytes:
    """One row per item, the columns VLMEvalKit's multiple-choice datasets read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(
        [
            "index",
            "video",
            "question",
            *LETTERS,
            "answer",
            "question_type",
            "category",
            "uid",
            "question_id",
            "video_duration",
        ]
    )
    stored = release.files.get(split=split, format="jsonl")
    with stored.file.open("rb") as handle:
        for position, line in enumerate(handle):
            item = orjson.loads(line)
            writer.writerow(
                [
                    position,
                    item["video_id"],
                    item["question"],
                    *[item["options"][letter] for letter in LETTERS],
                    item["answer"],
                    item["question_type"],
                    item["category"],
                    item["uid"],
                    item["question_id"],
                    item["video_duration"],
                ]
            )
    return buffer.getvalue().encode()


LMMS_UTILS = '''"""Helpers for the {task} task, written by sciannot for lmms-eval."""

import os
import re

LETTERS = "ABCDEFGHIJ"
# Where the videos are: jove_<video_id>.mp4 (set SCIANNOT_VIDEO_DIR).
VIDEO_DIR = os.environ.get("SCIANNOT_VIDEO_DIR", "videos")


def doc_to_visual(doc):
    return [os.path.join(VIDEO_DIR, f"jove_{{doc['video_id']}}.mp4")]


def doc_to_text(doc, lmms_eval_specific_kwargs=None):
    kwargs = lmms_eval_specific_kwargs or {{}}
    options = "\\n".join(f"{{letter}}. {{doc['options'][letter]}}" for letter in LETTERS)
    before, after = kwargs.get("pre_prompt", ""), kwargs.get("post_prompt", "")
    return f"{{before}}{{doc['question']}}\\n{{options}}\\n{{after}}"


def extract_letter(reply):
    match = re.search(r"answer is\\s*\\(?([A-J])\\b", reply, re.IGNORECASE)
    if match:
        return match.group(1).upper()
    match = re.match(r"\\s*\\(?([A-J])[).:\\s]", reply + " ")
    return match.group(1) if match else ""


def process_results(doc, results):
    return {{"accuracy": float(extract_letter(results[0]) == doc["answer"])}}
'''


def lmms_eval_yaml(release: Release, task: str) -> str:
    splits = sorted(release.manifest["splits"])
    test = "test" if "test" in splits else splits[0]
    files = "\n".join(f"    {name}: {name}.jsonl" for name in splits)
    return f"""# lmms-eval task for {release.name} {release.version}, made by sciannot.
dataset_path: json
dataset_kwargs:
  data_files:
{files}
task: {task}
test_split: {test}
output_type: generate_until
doc_to_visual: !function utils.doc_to_visual
doc_to_text: !function utils.doc_to_text
doc_to_target: answer
generation_kwargs:
  max_new_tokens: 512
  temperature: 0
  do_sample: false
process_results: !function utils.process_results
metric_list:
  - metric: accuracy
    aggregation: mean
    higher_is_better: true
lmms_eval_specific_kwargs:
  default:
    pre_prompt: ""
    post_prompt: {json.dumps(DEFAULT_PROMPT)}
  cot:
    pre_prompt: ""
    post_prompt: {json.dumps(COT_PROMPT)}
metadata:
  version: {json.dumps(release.version)}
  sha256:
""" + "".join(
        f"    {name}: {release.manifest['splits'][name]['files'][f'{name}.jsonl']['sha256']}\n"
        for name in splits
    )


def lmms_eval_zip(release: Release) -> bytes:
    """The task folder: its YAML, its helpers and every split's JSONL."""
    task = task_name(release)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(f"{task}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)

        add(f"{task}.yaml", lmms_eval_yaml(release, task).encode())
        add("utils.py", LMMS_UTILS.format(task=task).encode())
        for stored in release.files.filter(format="jsonl").order_by("split"):
            with stored.file.open("rb") as handle:
                add(f"{stored.split}.jsonl", handle.read())
    return buffer.getvalue()


Artifact = tuple[str, Callable[[Release], bytes]]

# filename -> (content type, maker)
ARTIFACTS: dict[str, Artifact] = {
    "manifest.json": ("application/json", lambda r: _json(r.manifest)),
    "manifest.md": ("text/markdown; charset=utf-8", manifest_markdown),
    "changelog.json": ("application/json", lambda r: _json(r.changelog)),
    "changelog.md": ("text/markdown; charset=utf-8", changelog_markdown),
    "README.md": ("text/markdown; charset=utf-8", dataset_card),
    "lmms-eval.zip": ("application/zip", lmms_eval_zip),
}
