"""Files made from a frozen release for people and harnesses: the manifest and changelog as
JSON and Markdown, a dataset card, and the archives holding them with the harness files
(`releases.harness_tasks`: a VLMEvalKit TSV per split and an lmms-eval task folder).

Each is rendered from the release's stored snapshot and manifest only, deterministically
(sorted keys, fixed zip timestamps), so the same release always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

from releases.harness_tasks import (
    CATEGORY_ORDER,
    TYPE_ORDER,
    default_split,
    harness_source,
    lmms_eval_group_yaml,
    lmms_eval_yaml,
    split_jsonl,
    task_name,
    vlmevalkit_tsv,
)
from releases.models import Release

RESERVED = ("manifest", "changelog", "readme", "lmms-eval", "archive")


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


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
        f"{len(log['changed'])} changed, {len(log.get('moved', []))} moved between splits.",
        "",
    ]
    for title, uids in (("Added", log["added"]), ("Removed", log["removed"])):
        if uids:
            lines += [f"## {title}", "", *[f"- `{uid}`" for uid in uids], ""]
    if log.get("moved"):
        lines += ["## Moved between splits", ""]
        lines += [f"- `{m['uid']}`: {m['from']} → {m['to']}" for m in log["moved"]]
        lines.append("")
    if log["changed"]:
        lines += ["## Changed", ""]
        for entry in log["changed"]:
            fields = ", ".join(change["field"] for change in entry["changes"])
            lines.append(f"- `{entry['uid']}`: {fields}")
        lines.append("")
    return "\n".join(lines).encode()


# SPDX ids (lower case, as the Hugging Face hub lists them) of the licences people write out.
SPDX_IDS = {
    "cc-by-4.0": "cc-by-4.0",
    "cc-by-sa-4.0": "cc-by-sa-4.0",
    "cc-by-nc-4.0": "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0": "cc-by-nc-sa-4.0",
    "cc-by-nd-4.0": "cc-by-nd-4.0",
    "cc-by-nc-nd-4.0": "cc-by-nc-nd-4.0",
    "cc-by-3.0": "cc-by-3.0",
    "cc0-1.0": "cc0-1.0",
    "cc-0": "cc0-1.0",
    "cc-0-1.0": "cc0-1.0",
    "mit": "mit",
    "apache-2.0": "apache-2.0",
    "bsd-3-clause": "bsd-3-clause",
    "odc-by": "odc-by",
    "pddl": "pddl",
}


def license_id(text: str) -> str:
    """The SPDX id of a release's licence ("CC BY 4.0" → cc-by-4.0), or `other` when the
    text is not one (the card then quotes the text)."""
    key = re.sub(r"[\s_]+", "-", text.strip().lower()).removesuffix("-license")
    for words, short in (
        ("creative-commons-", "cc-"),
        ("attribution", "by"),
        ("noncommercial", "nc"),
        ("non-commercial", "nc"),
        ("sharealike", "sa"),
        ("share-alike", "sa"),
        ("noderivatives", "nd"),
        ("noderivs", "nd"),
    ):
        key = key.replace(words, short)
    key = re.sub(r"(?<=[a-z])-?(\d)", r"-\1", key)
    return SPDX_IDS.get(key, "other")


def dataset_card(release: Release) -> bytes:
    return _card(release, archive_parts(release))


def _card(release: Release, parts: list[tuple[str, bytes]]) -> bytes:
    manifest = release.manifest
    splits = sorted(manifest["splits"])
    task = task_name(release)
    licence = license_id(release.license)
    lines = [
        "---",
        f"pretty_name: {json.dumps(f'{release.name} {release.version}', ensure_ascii=False)}",
        f"license: {licence}",
        *(
            [f"license_name: {json.dumps(release.license or 'not stated', ensure_ascii=False)}"]
            if licence == "other"
            else []
        ),
        "task_categories:",
        "  - video-text-to-text",
        "  - multiple-choice",
        "language:",
        "  - en",
        f"size_categories:\n  - {_size_category(manifest['count'])}",
        "configs:",
        "  - config_name: default",
        "    data_files:",
        *[f"      - split: {name}\n        path: data/{name}.jsonl" for name in splits],
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
    if release.card_sections:
        lines += [*release.card_sections.rstrip("\n").split("\n"), ""]
    lines += [
        "## Files",
        "",
        "- `data/<split>.jsonl`: one JSON object per line, sorted by `video_id` and then the "
        "natural order of `question_id`: `uid` (stable across versions), `video_id`, "
        "`question_id` (unique within its video), `question`, `options` (A–J), `answer`, "
        "`question_type`, `discipline`, `category`, `subject`, `video_duration` (seconds), "
        "`timestamp_breakdown` and `rationale`. `datasets.load_dataset(<this folder>)` loads "
        "every split.",
        "- `data/<split>.tsv`: the same items for VLMEvalKit: `index`, `video` "
        "(`jove_<video_id>`), `question`, `A`…`J`, `answer`, `category`, `l2-category` (the "
        "question type), then `question_type`, `uid`, `question_id`, `video_id`, "
        "`video_duration`.",
        f"- `lmms_eval/`: the lmms-eval tasks `{task}` and `{task}_cot` and the group "
        f"`{task}_group`; `vlmevalkit/`: a VLMEvalKit video dataset.",
        "- `manifest.json`: the release's manifest with the sha256 and size of every file "
        "here except itself; the archive's own sha256 is in the manifest the server gives "
        "(`/api/releases/<name>/<version>/manifest.json`), as a file cannot hold its own hash.",
        "- `CHANGELOG.md`: what changed since the previous version, moves between splits included.",
        "",
        "Single downloads from the server have these same names: put the split files in "
        "`data/` and the folder loads the same way.",
        "",
        "## Videos",
        "",
        "The videos are not in this repository. They are the Journal of Visualized Experiments "
        "(JoVE) recordings the questions were written on, named `jove_<video_id>.mp4` (`.MP4` "
        "and `.mkv` are found too), obtained from JoVE under its terms. Both harnesses read "
        "them from the folder `SCIANNOT_VIDEO_DIR` names, by default `videos/` in this folder; "
        "a missing video stops the run with its file name.",
    ]
    videos = video_files_table(release)
    if videos:
        lines += [
            "",
            "The release was frozen over these files, and `sha256sum` of yours should match:",
            "",
            *videos,
        ]
    split = default_split(release)
    lines += [
        "",
        "## Evaluating",
        "",
        "### lmms-eval (0.6 and 0.7)",
        "",
        "```",
        "export SCIANNOT_VIDEO_DIR=/path/to/videos",
        f"lmms-eval --model <model> --tasks {task} --include_path lmms_eval "
        "--log_samples --output_path results/",
        "```",
        "",
        f"`{task}` (the `{split}` split) matches the official SciVideoBench task: the same "
        "prompt (question, options as `A. …` lines, \"Answer with the option's letter from "
        'the given choices directly."), the same generation settings (16 new tokens, greedy) '
        "and the same handling of times, which become frame numbers of a one-frame-per-second "
        "video (`02:05` → `frame 125`); like the official task, that rewrite also changes a "
        "ratio written as `1:10`. Deliberate differences: the data path and the video folder "
        "are found from the task folder itself, not from `dataset_path`; replies are scored "
        "by `reply_reader.py`, the reader of the leaderboard. "
        f'`{task}_cot` asks for step-by-step reasoning ending in "Therefore, the final answer '
        'is: X" and lets the model write up to 4096 tokens.',
        "",
        "The metrics are the leaderboard's columns: `careful_*` (the careful reading; an "
        "unreadable reply counts wrong) and `official_*` (the official rule; where it would "
        "guess at random, the guess is seeded by the release and the item), each `overall`, "
        "per question type and per category, in percent rounded half-up to two decimals.",
        "",
        "### VLMEvalKit",
        "",
        "```python",
        "import sys; sys.path.insert(0, 'vlmevalkit')",
        "from sciannot_video import SciannotVideoMCQ",
        "from vlmeval.dataset import video_dataset_config  # or your own registry",
        "",
        f"dataset = SciannotVideoMCQ('{task}')",
        "```",
        "",
        "To register it, add `SciannotVideoMCQ` to the list of video dataset classes in "
        "`vlmeval/dataset/__init__.py` (`VIDEO_DATASET`), with `vlmevalkit/` on the Python "
        "path. `evaluate` reports both rules overall, per type and per category.",
        "",
        "## Integrity",
        "",
        "| file | bytes | sha256 |",
        "|---|---|---|",
        *[
            f"| `{name}` | {len(data)} | `{hashlib.sha256(data).hexdigest()}` |"
            for name, data in parts
        ],
        "",
        "## License",
        "",
        release.license or "Not stated.",
        "",
    ]
    return "\n".join(lines).encode()


def _size_category(count: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if count < limit:
            return label
    return "100K<n<1M"


def archive_parts(release: Release) -> list[tuple[str, bytes]]:
    """Every file of the archive but the card and the manifest, which describe these."""
    task = task_name(release)
    parts: list[tuple[str, bytes]] = [("CHANGELOG.md", changelog_markdown(release))]
    for split in release.splits:
        parts.append((f"data/{split}.jsonl", split_jsonl(release, split)))
        parts.append((f"data/{split}.tsv", vlmevalkit_tsv(release, split)))
    reader = harness_source("reply_reader.py")
    parts += [
        (f"lmms_eval/{task}.yaml", lmms_eval_yaml(release, task, cot=False)),
        (f"lmms_eval/{task}_cot.yaml", lmms_eval_yaml(release, task, cot=True)),
        (f"lmms_eval/{task}_group.yaml", lmms_eval_group_yaml(task)),
        ("lmms_eval/reply_reader.py", reader),
        ("lmms_eval/utils.py", harness_source("lmms_eval_utils.py")),
        ("vlmevalkit/reply_reader.py", reader),
        ("vlmevalkit/sciannot_video.py", harness_source("vlmevalkit_dataset.py")),
    ]
    return sorted(parts)


def _facts(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def archive_contents(release: Release) -> list[tuple[str, bytes]]:
    """The archive's files in order: the parts, the card, and the manifest listing both."""
    parts = archive_parts(release)
    files = [*parts, ("README.md", _card(release, parts))]
    manifest = dict(release.manifest)
    manifest["artifacts"] = {name: _facts(data) for name, data in sorted(files)}
    return sorted([*files, ("manifest.json", _json(manifest))])


def _zip(contents: list[tuple[str, bytes]], prefix: str = "") -> bytes:
    """Fixed order, timestamps and modes: the same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents:
            info = zipfile.ZipInfo(prefix + name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def archive_zip(release: Release) -> bytes:
    return _zip(archive_contents(release))


def lmms_eval_zip(release: Release) -> bytes:
    """The lmms-eval task folder with the data and manifest it reads, as in the archive."""
    return _zip(
        [
            (name, data)
            for name, data in archive_contents(release)
            if (name.startswith(("lmms_eval/", "data/")) and not name.endswith(".tsv"))
            or name == "manifest.json"
        ]
    )


def served_manifest(release: Release) -> bytes:
    """The release's manifest with every artifact's sha256 and size, the archive's too."""
    contents = archive_contents(release)
    manifest = dict(release.manifest)
    manifest["artifacts"] = {
        name: _facts(data) for name, data in contents if name != "manifest.json"
    }
    manifest["artifacts"]["manifest.json (in the archive)"] = _facts(
        dict(contents)["manifest.json"]
    )
    manifest["archive"] = {"archive.zip": _facts(_zip(contents))}
    return _json(manifest)


Artifact = tuple[str, Callable[[Release], bytes]]

# filename -> (content type, maker)
ARTIFACTS: dict[str, Artifact] = {
    "manifest.json": ("application/json", served_manifest),
    "manifest.md": ("text/markdown; charset=utf-8", manifest_markdown),
    "changelog.json": ("application/json", lambda r: _json(r.changelog)),
    "changelog.md": ("text/markdown; charset=utf-8", changelog_markdown),
    "README.md": ("text/markdown; charset=utf-8", dataset_card),
    "lmms-eval.zip": ("application/zip", lmms_eval_zip),
    "archive.zip": ("application/zip", archive_zip),
}
# The name each download is saved under: the archive's name for the same file.
DOWNLOAD_NAMES = {"changelog.md": "CHANGELOG.md"}
