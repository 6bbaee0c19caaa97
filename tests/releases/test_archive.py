"""The release archive: one zip laid out as a Hugging Face dataset repository, with an
lmms-eval task folder and a VLMEvalKit dataset that read replies with the app's own reader."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

from releases.harness import reply_reader
from releases.models import Release
from tests.factories import make_item
from tests.releases.conftest import LETTERS, freeze

pytestmark = pytest.mark.django_db
BASE = "/api/releases/svb/1.0.0/"
TASK = "svb_1_0_0"

# Replies in the forms models write, and prose that must not become a letter.
REPLIES = [
    "Therefore, the final answer is: F",
    "**A**",
    "Answer: E",
    "(C)",
    "C.",
    "The correct answer is **H**. The video shows the pipette at 00:12.",
    "J",
    "A close look at the second step settles it: H.",
    "the answer is a matter of timing; I pick C.",
    "I cannot tell from the video.",
    "Based on the video, the answer is (B).",
    "",
    "5 µL of reagent G",
]


@pytest.fixture
def client(accepted: Any, curator: Any, write_items: Callable[..., Path]) -> Client:
    # Two more items whose options read "None" and "NA", which pandas would take for missing.
    odd = {letter: f"odd option {letter}" for letter in LETTERS} | {"B": "None", "C": "NA"}
    items = [
        make_item(video_id="99", question_id=str(n), question=f"Odd {n} at 01:05?", options=odd)
        for n in (1, 2)
    ]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    freeze(
        "svb", "--version", "1.0.0", "--stratify", "test=0.75,val=0.25", "--license", "CC BY 4.0"
    )
    client = Client()
    client.force_login(curator)
    return client


def download(client: Client, name: str) -> bytes:
    response = client.get(BASE + name)
    assert response.status_code == 200, name
    return response.content


@pytest.fixture
def folder(client: Client, tmp_path: Path) -> Path:
    root = tmp_path / "svb"
    zipfile.ZipFile(io.BytesIO(download(client, "archive.zip"))).extractall(root)
    return root


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def items_of(client: Client, split: str) -> list[dict[str, Any]]:
    data = b"".join(client.get(f"{BASE}{split}.jsonl").streaming_content)
    return [json.loads(line) for line in data.splitlines()]


def test_the_archive_is_the_same_every_time_and_the_manifest_has_its_sha(client: Client) -> None:
    first, second = download(client, "archive.zip"), download(client, "archive.zip")
    assert first == second
    archive = zipfile.ZipFile(io.BytesIO(first))
    names = archive.namelist()
    assert names == sorted(names)
    assert set(names) == {
        "CHANGELOG.md", "README.md", "manifest.json",
        "data/test.jsonl", "data/test.tsv", "data/val.jsonl", "data/val.tsv",
        f"lmms_eval/{TASK}.yaml", f"lmms_eval/{TASK}_cot.yaml", f"lmms_eval/{TASK}_group.yaml",
        "lmms_eval/reply_reader.py", "lmms_eval/utils.py",
        "vlmevalkit/reply_reader.py", "vlmevalkit/sciannot_video.py",
    }  # fmt: skip
    served = json.loads(download(client, "manifest.json"))
    assert served["archive"]["archive.zip"] == {
        "sha256": hashlib.sha256(first).hexdigest(),
        "bytes": len(first),
    }
    inside = json.loads(archive.read("manifest.json"))
    # Every other file of the archive, the card included, with its sha256 and size.
    assert set(inside["artifacts"]) == set(names) - {"manifest.json"}
    for name, facts in inside["artifacts"].items():
        data = archive.read(name)
        assert facts == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        assert served["artifacts"][name] == facts
    assert inside["splits"] == Release.objects.get().manifest["splits"]
    card = archive.read("README.md").decode()
    for name in set(names) - {"manifest.json", "README.md"}:
        assert inside["artifacts"][name]["sha256"] in card, name
    # The single downloads are the archive's files, saved under the archive's names.
    assert download(client, "README.md") == archive.read("README.md")
    assert download(client, "test.tsv") == archive.read("data/test.tsv")
    assert b"".join(client.get(BASE + "val.jsonl").streaming_content) == archive.read(
        "data/val.jsonl"
    )
    for name, saved in (
        ("test.jsonl", "test.jsonl"),
        ("test.tsv", "test.tsv"),
        ("README.md", "README.md"),
        ("changelog.md", "CHANGELOG.md"),
        ("manifest.json", "manifest.json"),
    ):
        assert client.get(BASE + name)["Content-Disposition"] == f'attachment; filename="{saved}"'


def test_the_card_is_a_hugging_face_dataset_card(folder: Path) -> None:
    card = (folder / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["license"] == "cc-by-4.0"
    assert "video-text-to-text" in header["task_categories"]
    assert header["configs"] == [
        {
            "config_name": "default",
            "data_files": [
                {"split": "test", "path": "data/test.jsonl"},
                {"split": "val", "path": "data/val.jsonl"},
            ],
        }
    ]
    assert "jove_<video_id>.mp4" in card and "SCIANNOT_VIDEO_DIR" in card
    assert f"--tasks {TASK} --include_path lmms_eval" in card and "SciannotVideoMCQ" in card


def test_datasets_loads_every_split_and_nothing_else(client: Client, folder: Path) -> None:
    import datasets

    loaded = datasets.load_dataset(str(folder), cache_dir=str(folder.parent / "hf-cache"))
    assert sorted(loaded) == ["test", "val"]
    for split in ("test", "val"):
        expected = items_of(client, split)
        assert loaded[split].num_rows == len(expected)
        assert loaded[split]["uid"] == [item["uid"] for item in expected]
        assert set(loaded[split].column_names) == set(expected[0])


def test_the_license_is_an_spdx_id() -> None:
    from releases.artifacts import license_id

    assert license_id("CC BY 4.0") == "cc-by-4.0"
    assert license_id("Creative Commons Attribution-NonCommercial-ShareAlike 4.0") == (
        "cc-by-nc-sa-4.0"
    )
    assert license_id("MIT License") == "mit" and license_id("CC0 1.0") == "cc0-1.0"
    assert license_id("Apache 2.0") == "apache-2.0"
    assert license_id("All rights reserved by the lab") == "other"


def test_the_exports_carry_the_apps_reader_byte_for_byte(folder: Path) -> None:
    ours = Path(reply_reader.__file__).read_bytes()
    assert (folder / "lmms_eval/reply_reader.py").read_bytes() == ours
    assert (folder / "vlmevalkit/reply_reader.py").read_bytes() == ours


def test_the_lmms_eval_tasks(folder: Path, tmp_path: Path, monkeypatch: Any) -> None:
    tasks = folder / "lmms_eval"
    default = (tasks / f"{TASK}.yaml").read_text()
    cot = (tasks / f"{TASK}_cot.yaml").read_text()
    group = yaml.safe_load((tasks / f"{TASK}_group.yaml").read_text())
    assert group == {"group": f"{TASK}_group", "task": [TASK, f"{TASK}_cot"]}
    assert f"task: {TASK}\n" in default and f"task: {TASK}_cot\n" in cot
    assert "max_new_tokens: 16\n" in default and "max_new_tokens: 4096\n" in cot
    assert "test: !function utils.data_test" in default
    assert "Therefore, the final answer is: $LETTER" in cot
    # Loaded from elsewhere: the data path does not depend on the working directory.
    monkeypatch.chdir(tmp_path)
    utils = load_module(tasks / "utils.py", "utils")
    assert utils.data_test == str(folder / "data" / "test.jsonl")
    with pytest.raises(FileNotFoundError, match="nope"):
        utils.data_nope  # noqa: B018
    # Every metric the YAML names has its aggregation in utils.
    for line in default.splitlines():
        if "aggregation: !function utils." in line:
            assert callable(getattr(utils, line.rsplit(".", 1)[1]))
    docs = [json.loads(line) for line in (folder / "data/test.jsonl").read_text().splitlines()]
    doc = docs[0]
    prompt = utils.doc_to_text(doc, {"pre_prompt": "", "post_prompt": "\nAnswer."})
    assert "between frame " in prompt and ":" not in prompt.split("\n")[0]
    assert prompt.endswith("\nJ. " + doc["options"]["J"] + "\n\nAnswer.")
    assert utils.times_as_frames("at 02:05 and 00:10–00:20", 301.0) == (
        "at frame 125 and frame 10 to frame 20"
    )
    # Videos: SCIANNOT_VIDEO_DIR, trying .mp4, .MP4 and .mkv; a missing one names its file.
    monkeypatch.setenv("SCIANNOT_VIDEO_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=f"jove_{doc['video_id']}.mp4"):
        utils.doc_to_visual(doc)
    (tmp_path / f"jove_{doc['video_id']}.mkv").write_bytes(b"video")
    assert utils.doc_to_visual(doc) == [str(tmp_path / f"jove_{doc['video_id']}.mkv")]
    # Scoring reads each reply exactly as the app's reader does.
    records = []
    for reply in REPLIES:
        result = utils.process_results(doc, [reply])
        record = result["careful_overall"]
        assert set(result) == {
            line.split("metric: ")[1] for line in default.splitlines() if "- metric:" in line
        }
        assert record["careful"] == reply_reader.read_letter(reply, doc["options"])
        official = getattr(reply_reader, "official_letter", None)
        if official is not None:
            expected = official(reply, doc["options"])
            assert record["official"] == expected or record["guessed"]
        records.append(result)
    right = utils.process_results(doc, [f"The answer is {doc['answer']}."])
    wrong = utils.process_results(doc, ["I cannot tell from the video."])
    careful = [right["careful_overall"], wrong["careful_overall"]]
    assert utils.aggregate_careful_overall(careful) == 50.0
    type_metric = "aggregate_careful_" + utils.slug(doc["question_type"])
    assert getattr(utils, type_metric)(careful) == 50.0
    assert utils.aggregate_careful_medicine(careful) != utils.aggregate_careful_medicine(
        careful
    )  # nan: no Medicine items here
    assert utils.percent(2, 3) == 66.67 and utils.percent(1, 8) == 12.5


def test_the_vlmevalkit_dataset(client: Client, folder: Path, monkeypatch: Any) -> None:
    module = load_module(folder / "vlmevalkit/sciannot_video.py", "sciannot_video")
    table = module.load_table(folder / "data/test.tsv")
    columns = ["index", "video", "question", *LETTERS, "answer", "category", "l2-category"]
    assert list(table.columns[: len(columns)]) == columns
    rows = table.to_dict("records")
    odd = [row for row in rows if row["video"] == "jove_99"] or [
        row
        for row in module.load_table(folder / "data/val.tsv").to_dict("records")
        if row["video"] == "jove_99"
    ]
    assert odd and (odd[0]["B"], odd[0]["C"]) == ("None", "NA")
    items = {item["uid"]: item for item in items_of(client, "test")}
    for row in rows:
        item = items[row["uid"]]
        assert row["l2-category"] == item["question_type"] and row["answer"] == item["answer"]
        assert row["video"] == f"jove_{item['video_id']}"
    text = module.question_text(rows[0])
    assert text.startswith(rows[0]["question"] + "\nA. ") and "\nJ. " in text
    monkeypatch.setenv("SCIANNOT_VIDEO_DIR", str(folder))
    with pytest.raises(FileNotFoundError, match=f"{rows[0]['video']}.mp4"):
        module.video_path(rows[0]["video"])
    # Scored with the app's reader: every reply form, A–J, counted per type and category.
    for reply in REPLIES:
        row = rows[0] | {"prediction": reply}
        scored = module.score_row(row, "svb/1.0.0")
        assert scored["careful"] == reply_reader.read_letter(reply, module.options_of(rows[0]))
    predictions = [row | {"prediction": f"Answer: {row['answer']}"} for row in rows]
    predictions[0]["prediction"] = "I cannot tell from the video."
    result = module.accuracy_table(predictions, "svb/1.0.0")
    overall = next(r for r in result if r["rule"] == "careful" and r["name"] == "overall")
    assert (overall["correct"], overall["total"], overall["unreadable"]) == (
        len(rows) - 1,
        len(rows),
        1,
    )
    by_type = [r for r in result if r["rule"] == "careful" and r["group"] == "type"]
    assert sum(r["total"] for r in by_type) == len(rows)
    with pytest.raises(ImportError, match="VLMEvalKit is not installed"):
        module.SciannotVideoMCQ()
    assert module.dataset_name() == TASK


class VideoBaseStandIn:
    """VLMEvalKit's `VideoBaseDataset` contract as far as the dataset relies on it: the
    constructor asks `prepare_dataset` for the TSV and reads it with pandas' defaults."""

    MODALITY = "VIDEO"

    def __init__(self, dataset: str, pack: bool, nframe: int, fps: float) -> None:
        import pandas as pd

        found = self.prepare_dataset(dataset)  # type: ignore[attr-defined]
        self.dataset_name, self.data_root, self.data_file = (
            dataset,
            found["root"],
            found["data_file"],
        )
        self.data = pd.read_csv(self.data_file, sep="\t")


def test_the_vlmevalkit_dataset_takes_the_row_positions_vlmevalkit_passes(
    folder: Path, monkeypatch: Any, tmp_path: Path
) -> None:
    import numpy as np

    base = ModuleType("vlmeval.dataset.video_base")
    base.VideoBaseDataset = VideoBaseStandIn  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vlmeval.dataset.video_base", base)
    module = load_module(folder / "vlmevalkit/sciannot_video.py", "sciannot_video_positions")
    dataset = module.SciannotVideoMCQ()
    # VLMEvalKit keys replies by `index`, so it stays an integer column.
    assert dataset.data["index"].dtype.kind == "i"
    for video in set(dataset.data["video"]):
        (tmp_path / f"{video}.mp4").write_bytes(b"video")
    monkeypatch.setenv("SCIANNOT_VIDEO_DIR", str(tmp_path))
    last = len(dataset.data) - 1
    row = dataset.data.iloc[last]
    expected = [
        {"type": "video", "value": str(tmp_path / f"{row['video']}.mp4")},
        {"type": "text", "value": module.question_text(row)},
    ]
    # Its video inference passes a position from `range` or a NumPy integer, or the row.
    for line in (last, np.int64(last), row):
        assert dataset.build_prompt(line, video_llm=True) == expected


def test_the_tsv_columns_vlmevalkit_reads(client: Client) -> None:
    rows = list(csv.reader(io.StringIO(download(client, "test.tsv").decode()), delimiter="\t"))
    assert rows[0][:15] == ["index", "video", "question", *LETTERS, "answer", "category"]
    assert rows[0][15] == "l2-category"


def test_the_changelog_records_items_that_moved_between_splits(client: Client) -> None:
    before = {item.uid: item.split for item in Release.objects.get().items.all()}
    freeze("svb", "--version", "1.1.0")  # every item in `test` now
    later = Release.objects.get(version="1.1.0")
    moved = [{"uid": uid, "from": "val", "to": "test"} for uid, s in sorted(before.items())
             if s == "val"]  # fmt: skip
    assert moved and later.changelog["moved"] == moved
    response = client.get("/api/releases/svb/1.1.0/changelog.md")
    assert response["Content-Disposition"] == 'attachment; filename="CHANGELOG.md"'
    text = response.content.decode()
    assert "## Moved between splits" in text and f"`{moved[0]['uid']}`: val → test" in text


def test_the_archive_follows_the_release_access(client: Client, reviewer: Any) -> None:
    other = Client()
    other.force_login(reviewer)
    assert other.get(BASE + "archive.zip").status_code == 404
    assert Client().get(BASE + "archive.zip").status_code == 401
    assert os.path.basename(BASE.rstrip("/")) == "1.0.0"


CORPUS = Path(__file__).parents[1] / "baselines" / "data" / "reply_corpus.jsonl"


def corpus() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_the_exported_code_reads_the_reply_corpus_as_the_app_does(folder: Path) -> None:
    utils = load_module(folder / "lmms_eval/utils.py", "corpus_utils")
    vlm = load_module(folder / "vlmevalkit/sciannot_video.py", "corpus_vlm")
    key = reply_reader.release_key("svb", "1.0.0")
    assert utils.release_key() == vlm.release_key() == key
    entries = corpus()
    assert len(entries) >= 150
    for entry in entries:
        doc = {
            "uid": f"q_{entry['id']}",
            "question_type": "Conceptual Reasoning",
            "category": "Biology",
            "answer": "A",
            "options": entry["options"],
        }
        record = utils.score(doc, entry["reply"], key)
        row = {letter: entry["options"][letter] for letter in LETTERS} | {
            "uid": doc["uid"],
            "l2-category": doc["question_type"],
            "category": doc["category"],
            "answer": "A",
            "prediction": entry["reply"],
        }
        scored = vlm.score_row(row, key)
        # The careful reading is the corpus's truth, in both harnesses.
        assert record["careful"] == scored["careful"] == entry["letter"], entry
        # The official rule reads what the official task reads, and guesses as the app does.
        if entry["official"] is None:
            guess = reply_reader.official_guess(key, doc["uid"])
            assert (record["official"], record["guessed"]) == (guess, True), entry
        else:
            assert (record["official"], record["guessed"]) == (entry["official"], False), entry
        assert (scored["official"], scored["guessed"]) == (record["official"], record["guessed"])


def test_the_exported_task_scores_the_same_replies_as_the_leaderboard(
    client: Client, folder: Path, tmp_path: Path
) -> None:
    # The corpus's replies, one to each item of the test split, imported as a model run.
    docs = [json.loads(line) for line in (folder / "data/test.jsonl").read_text().splitlines()]
    entries = corpus()
    replies = [entries[(n * 7) % len(entries)]["reply"] for n in range(len(docs))]
    # Some replies name the key itself, so the rows are not all zero.
    for n in range(0, len(docs), 3):
        replies[n] = f"Therefore, the final answer is: {docs[n]['answer']}"
    path = tmp_path / "replies.jsonl"
    path.write_text(
        "".join(
            json.dumps({"uid": doc["uid"], "prediction": reply}) + "\n"
            for doc, reply in zip(docs, replies, strict=True)
        )
    )
    call_command(
        "import_predictions",
        "Corpus model",
        str(path),
        "--release",
        "svb",
        "--version",
        "1.0.0",
        "--split",
        "test",
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command(
        "leaderboard", "--release", "svb", "--version", "1.0.0", "--format", "json", stdout=out
    )
    row = next(r for r in json.loads(out.getvalue())["rows"] if r["name"] == "Corpus model")
    # lmms-eval's side: process_results per document, then each metric's aggregation.
    utils = load_module(folder / "lmms_eval/utils.py", "board_utils")
    results = [
        utils.process_results(doc, [reply]) for doc, reply in zip(docs, replies, strict=True)
    ]
    for rule, cells in (("careful", row), ("official", row["official"])):
        expected = {"overall": cells["overall"], **cells["by_type"], **cells["by_category"]}
        for part, cell in expected.items():
            metric = f"{rule}_{utils.slug(part)}"
            printed = getattr(utils, f"aggregate_{metric}")([r[metric] for r in results])
            if cell["total"]:
                assert printed == cell["acc"], (metric, printed, cell)
            else:
                assert printed != printed, (metric, printed)  # nan: no items of that kind
    assert row["overall"]["correct"] > 0 and row["official"]["overall"]["correct"] > 0
