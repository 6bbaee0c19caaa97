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
    served = json.loads(get(client, "manifest.json"))
    # The frozen manifest, with every artifact's sha256 and size added (the archive's too).
    assert {k: v for k, v in served.items() if k not in ("artifacts", "archive")} == (
        release.manifest
    )
    assert "README.md" in served["artifacts"] and "archive.zip" in served["archive"]
    assert json.loads(get(client, "changelog.json")) == release.changelog
    manifest = get(client, "manifest.md").decode()
    assert manifest.startswith("# svb 1.0.0 — manifest")
    sha = release.manifest["splits"]["val"]["files"]["val.jsonl"]["sha256"]
    assert "| `val.jsonl` |" in manifest and sha in manifest
    assert "The first version: 12 items." in get(client, "changelog.md").decode()


def test_the_dataset_card(client: Client) -> None:
    card = get(client, "README.md").decode()
    assert card.startswith('---\npretty_name: "svb 1.0.0"\nlicense: cc-by-4.0\n')
    assert "      - split: val\n        path: data/val.jsonl" in card
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


def test_the_lmms_eval_task_folder(client: Client) -> None:
    data = get(client, "lmms-eval.zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == [
        "data/test.jsonl",
        "data/val.jsonl",
        "lmms_eval/reply_reader.py",
        "lmms_eval/svb_1_0_0.yaml",
        "lmms_eval/svb_1_0_0_cot.yaml",
        "lmms_eval/svb_1_0_0_group.yaml",
        "lmms_eval/utils.py",
        "manifest.json",
    ]
    whole = zipfile.ZipFile(io.BytesIO(get(client, "archive.zip")))
    for name in archive.namelist():
        assert archive.read(name) == whole.read(name), name
    jsonl = b"".join(client.get(BASE + "test.jsonl").streaming_content)
    assert archive.read("data/test.jsonl") == jsonl


def test_reserved_split_names_are_refused(accepted: Any) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="'manifest' is reserved"):
        freeze("svb", "--version", "1.0.0", "--split", "manifest")


def test_artifacts_follow_the_release_access(client: Client, reviewer: Any) -> None:
    other = Client()
    other.force_login(reviewer)
    for name in ("manifest.json", "README.md", "test.tsv", "lmms-eval.zip", "archive.zip"):
        assert other.get(BASE + name).status_code == 404
        assert Client().get(BASE + name).status_code == 401
