"""Files made from a frozen release: manifest and changelog (JSON, Markdown), the dataset
card, VLMEvalKit TSVs and the lmms-eval task folder — the same bytes every time."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client

from releases.models import Release
from tests.releases.conftest import LETTERS, freeze

pytestmark = pytest.mark.django_db
BASE = "/api/releases/svb/1.0.0/"


@pytest.fixture
def client(accepted: Any, curator: Any) -> Client:
    freeze(
        "svb",
        "--version",
        "1.0.0",
        "--stratify",
        "test=0.75,val=0.25",
        "--license",
        "CC BY 4.0",
        "--description",
        "Twelve questions for tests.",
    )
    client = Client()
    client.force_login(curator)
    return client


def get(client: Client, name: str) -> bytes:
    response = client.get(BASE + name)
    assert response.status_code == 200, name
    data = response.content
    assert client.get(BASE + name).content == data  # the same bytes every time
    again = client.get(BASE + name, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    return data


def test_manifest_and_changelog_as_json_and_markdown(client: Client) -> None:
    release = Release.objects.get()
    assert json.loads(get(client, "manifest.json")) == release.manifest
    assert json.loads(get(client, "changelog.json")) == release.changelog
    manifest = get(client, "manifest.md").decode()
    assert manifest.startswith("# svb 1.0.0 — manifest")
    sha = release.manifest["splits"]["val"]["files"]["val.jsonl"]["sha256"]
    assert "| `val.jsonl` |" in manifest and sha in manifest
    assert "The first version: 12 items." in get(client, "changelog.md").decode()


def test_the_dataset_card(client: Client) -> None:
    card = get(client, "README.md").decode()
    assert card.startswith("---\npretty_name: svb 1.0.0\n")
    assert "      - split: val\n        path: val.jsonl" in card
    assert "Twelve questions for tests." in card and "CC BY 4.0" in card
    release = Release.objects.get()
    for name in ("test", "val"):
        assert release.manifest["splits"][name]["files"][f"{name}.jsonl"]["sha256"] in card
    assert "| Biology |" in card


def test_vlmevalkit_tsv_has_every_item_of_the_split(client: Client) -> None:
    data = get(client, "test.tsv").decode()
    rows = list(csv.reader(io.StringIO(data), delimiter="\t"))
    header, body = rows[0], rows[1:]
    assert header[:13] == ["index", "video", "question", *LETTERS]
    jsonl = client.get(BASE + "test.jsonl")
    items = [json.loads(line) for line in b"".join(jsonl.streaming_content).splitlines()]
    assert len(body) == len(items)
    for row, item in zip(body, items, strict=True):
        record = dict(zip(header, row, strict=True))
        assert record["question"] == item["question"]
        assert record["C"] == item["options"]["C"]
        assert record["answer"] == item["answer"] and record["uid"] == item["uid"]
    assert client.get(BASE + "nope.tsv").status_code == 404


def test_the_lmms_eval_task_folder(client: Client, tmp_path: Any) -> None:
    data = get(client, "lmms-eval.zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == [
        "svb_1_0_0/svb_1_0_0.yaml",
        "svb_1_0_0/test.jsonl",
        "svb_1_0_0/utils.py",
        "svb_1_0_0/val.jsonl",
    ]
    task = archive.read("svb_1_0_0/svb_1_0_0.yaml").decode()
    assert "dataset_path: json" in task and "    test: test.jsonl" in task
    assert "test_split: test" in task and "doc_to_text: !function utils.doc_to_text" in task
    assert "  cot:\n" in task and "The answer is X" in task
    jsonl = b"".join(client.get(BASE + "test.jsonl").streaming_content)
    assert archive.read("svb_1_0_0/test.jsonl") == jsonl
    # The helpers work the way lmms-eval calls them.
    namespace: dict[str, Any] = {}
    exec(compile(archive.read("svb_1_0_0/utils.py"), "utils.py", "exec"), namespace)
    doc = json.loads(jsonl.splitlines()[0])
    prompt = namespace["doc_to_text"](doc, {"pre_prompt": "", "post_prompt": "Answer."})
    assert prompt.startswith(doc["question"] + "\nA. ") and prompt.endswith("\nAnswer.")
    assert namespace["doc_to_visual"](doc)[0].endswith(f"jove_{doc['video_id']}.mp4")
    assert namespace["extract_letter"]("Based on the video, the answer is (C).") == "C"
    assert namespace["extract_letter"]("B. because") == "B"
    right = namespace["process_results"](doc, [f"The answer is {doc['answer']}"])
    assert right == {"accuracy": 1.0}


def test_reserved_split_names_are_refused(accepted: Any) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="'manifest' is reserved"):
        freeze("svb", "--version", "1.0.0", "--split", "manifest")


def test_artifacts_follow_the_release_access(client: Client, reviewer: Any) -> None:
    other = Client()
    other.force_login(reviewer)
    for name in ("manifest.json", "README.md", "test.tsv", "lmms-eval.zip"):
        assert other.get(BASE + name).status_code == 404
        assert Client().get(BASE + name).status_code == 401
