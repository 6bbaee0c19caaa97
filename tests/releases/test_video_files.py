"""The release records each of its videos' files (sha256 and size) at freeze time, shows them
on its page, in manifest.md and in the dataset card, and its downloads stay byte-stable."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from releases.models import Release
from tests.factories import make_item
from tests.releases.conftest import freeze
from videos.models import Video

pytestmark = pytest.mark.django_db
BASE = "/api/releases/svb/1.0.0/"


@pytest.fixture
def folder(tmp_path: Path, video_dir: Path, write_items: Any) -> Path:
    """Videos 1001 and 1002 with their files, and 58827 known only from its questions."""
    folder = tmp_path / "incoming"
    shutil.copytree(video_dir, folder)
    call_command("import_videos", str(folder), stdout=io.StringIO())
    items = [
        make_item(
            video_id=video_id,
            question_id="1",
            question=f"What happens to video {video_id}'s sample at 00:05?",
            video_duration=None if video_id != "58827" else 301.0,
            timestamp_breakdown=["00:05-00:06: the sample"],
        )
        for video_id in ("1001", "1002", "58827")
    ]
    for item in items:
        if item["video_duration"] is None:
            del item["video_duration"]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    return folder


def test_the_manifest_carries_each_videos_sha256_and_size(folder: Path) -> None:
    freeze("svb", "--version", "1.0.0")
    files = Release.objects.get().manifest["video_files"]

    assert sorted(files) == ["1001", "1002", "58827"]
    for video_id, name in (("1001", "jove_1001.mp4"), ("1002", "jove_1002.mkv")):
        source = (folder / name).read_bytes()
        video = Video.objects.get(video_id=video_id)
        with video.original.open("rb") as handle:
            stored = handle.read()
        assert stored == source
        assert files[video_id] == {
            "sha256": hashlib.sha256(source).hexdigest(),
            "bytes": len(source),
        }
    assert files["58827"] == {"sha256": None, "bytes": None}


def test_the_page_the_manifest_and_the_card_show_the_checksums_the_same_every_time(
    folder: Path, curator: Any
) -> None:
    freeze("svb", "--version", "1.0.0")
    sha = hashlib.sha256((folder / "jove_1001.mp4").read_bytes()).hexdigest()
    size = (folder / "jove_1001.mp4").stat().st_size
    client = Client()
    client.force_login(curator)

    downloads = {}
    for name in ("manifest.json", "manifest.md", "README.md", "lmms-eval.zip", "test.jsonl"):
        first = client.get(BASE + name)
        assert first.status_code == 200, name
        data = b"".join(first.streaming_content) if first.streaming else first.content
        again = client.get(BASE + name)
        assert (b"".join(again.streaming_content) if again.streaming else again.content) == data
        downloads[name] = data.decode(errors="replace")

    row = f"| `1001` | {size} | `{sha}` |"
    assert row in downloads["manifest.md"] and "## Video files" in downloads["manifest.md"]
    assert row in downloads["README.md"] and "sha256sum" in downloads["README.md"]
    assert "| `58827` | | no file when frozen |" in downloads["README.md"]
    assert f'"sha256": "{sha}"' in downloads["manifest.json"]

    page = client.get(f"/releases/{Release.objects.get().pk}/").content.decode()
    assert 'data-testid="video-files"' in page
    assert sha in page and str(size) in page
    assert "no file when frozen" in page


def test_the_video_files_are_the_same_in_the_next_version_and_do_not_touch_the_exports(
    folder: Path,
) -> None:
    freeze("svb", "--version", "1.0.0")
    freeze("svb", "--version", "1.0.1")
    first, second = Release.objects.order_by("version")
    assert first.manifest["video_files"] == second.manifest["video_files"]
    # The items' bytes are unchanged by the media checksums: the next version has none changed.
    assert second.changelog["changed"] == [] and second.changelog["added"] == []
    assert first.files.get(format="jsonl").sha256 == second.files.get(format="jsonl").sha256
