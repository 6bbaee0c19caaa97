"""A video whose file frozen releases or open studies rely on keeps that file on every path:
the upload's replace (at its start and at its finish), import_videos, the service itself and
the admin; the refusal names them and changes nothing. Unused videos are replaced as before."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from baselines.models import Study
from baselines.services import study_close
from releases.models import Release, ReleaseStatus
from tests.factories import make_item
from tests.releases.conftest import freeze
from videos.guards import ReplacementRefused, video_replacement_blockers
from videos.models import Upload, UploadStatus, Video

pytestmark = pytest.mark.django_db

USED = "Refused: video 1001 is in the frozen release svb 1.0.0"


def snapshot(video_id: str) -> dict[str, Any]:
    """Everything a replacement would change: the row and the stored file's bytes."""
    video = Video.objects.get(video_id=video_id)
    row = Video.objects.filter(pk=video.pk).values().get()
    with video.original.open("rb") as handle:
        row["bytes"] = handle.read()
    return row


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def incoming(tmp_path: Path, video_dir: Path) -> Path:
    folder = tmp_path / "incoming"
    shutil.copytree(video_dir, folder)
    call_command("import_videos", str(folder), stdout=io.StringIO())
    return folder


@pytest.fixture
def released(incoming: Path, write_items: Any) -> Video:
    """Video 1001 is in the frozen release svb 1.0.0; video 1002 is in none."""
    items = [
        make_item(
            video_id="1001",
            question_id=str(n),
            question=f"What is done between 00:{10 + n:02d} and 00:{11 + n:02d} in step {n}?",
            video_duration=20.0,
            timestamp_breakdown=[f"00:{10 + n:02d}-00:{11 + n:02d}: step {n}"],
        )
        for n in range(1, 4)
    ]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    freeze("svb", "--version", "1.0.0")
    return Video.objects.get(video_id="1001")


def other_video_bytes(tmp_path: Path) -> bytes:
    from videos.synthetic import make_synthetic_video

    path = tmp_path / "other.mp4"
    make_synthetic_video(path, duration=6, width=160, height=90, fps=5)
    return path.read_bytes()


def start_upload(client: Client, data: bytes, video_id: str) -> Any:
    payload = {
        "kind": "video",
        "name": f"jove_{video_id}.mp4",
        "size": len(data),
        "video_id": video_id,
        "replace": True,
    }
    return client.post("/videos/uploads/", json.dumps(payload), content_type="application/json")


def send_all(client: Client, upload: dict[str, Any], data: bytes) -> None:
    response = client.generic(
        "PUT",
        upload["chunk_url"],
        data,
        content_type="application/octet-stream",
        headers={"content-range": f"bytes 0-{len(data) - 1}/{len(data)}"},
    )
    assert response.status_code == 200, response.content


def assert_refusal_names_the_release(message: str) -> None:
    assert "video 1001 is in the frozen release svb 1.0.0" in message
    assert "import the new file under a new video id" in message


def served(client: Client, video: Video, header: str) -> bytes:
    response = client.get(f"/videos/{video.pk}/media/video", HTTP_RANGE=header)
    assert response.status_code == 206
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Refused on every path ----------------------------------------------------------------------


def test_the_upload_is_refused_at_its_start_naming_the_release(
    released: Video, curator: Any, tmp_path: Path
) -> None:
    before = snapshot("1001")
    client = signed_in(curator)
    response = start_upload(client, other_video_bytes(tmp_path), "1001")

    assert response.status_code == 409
    assert_refusal_names_the_release(response.json()["error"])
    assert snapshot("1001") == before
    assert not Upload.objects.exists()
    # The player still gets the very bytes the release was frozen over.
    original = before["bytes"]
    assert served(client, released, "bytes=0-99") == original[:100]
    assert served(client, released, "bytes=100-") == original[100:]


def test_the_upload_is_refused_at_its_finish_when_a_release_was_frozen_meanwhile(
    incoming: Path, write_items: Any, curator: Any, tmp_path: Path
) -> None:
    client = signed_in(curator)
    data = other_video_bytes(tmp_path)
    response = start_upload(client, data, "1001")
    assert response.status_code == 201, response.content  # nothing used it yet
    upload = response.json()
    send_all(client, upload, data)
    items = [make_item(video_id="1001", video_duration=20.0, question="Why at 00:05?")]
    items[0]["timestamp_breakdown"] = ["00:05-00:06: set up"]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    freeze("svb", "--version", "1.0.0")
    before = snapshot("1001")

    response = client.post(upload["finish_url"], "{}", content_type="application/json")

    assert response.status_code == 409
    assert_refusal_names_the_release(response.json()["error"])
    assert snapshot("1001") == before
    stored = Upload.objects.get(pk=upload["id"])
    assert stored.status == UploadStatus.FAILED
    assert not (Path(settings.MEDIA_ROOT) / stored.storage_key).is_file()
    video = Video.objects.get(video_id="1001")
    assert served(client, video, "bytes=0-") == before["bytes"]


def test_import_videos_skips_a_changed_file_of_a_released_video_and_says_why(
    released: Video, incoming: Path, tmp_path: Path
) -> None:
    before = snapshot("1001")
    (incoming / "jove_1001.mp4").write_bytes(other_video_bytes(tmp_path))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match=r"1 file\(s\) skipped"):
        call_command("import_videos", str(incoming), stdout=out, stderr=err)

    assert "jove_1001.mp4: skipped" in err.getvalue()
    assert_refusal_names_the_release(err.getvalue())
    assert snapshot("1001") == before
    assert "jove_1002.mkv: unchanged" in out.getvalue()


def test_the_service_itself_refuses_so_no_caller_can_bypass_it(
    released: Video, tmp_path: Path
) -> None:
    from videos.services import video_store_file

    path = tmp_path / "jove_1001.mp4"
    path.write_bytes(other_video_bytes(tmp_path))
    before = snapshot("1001")

    with pytest.raises(ReplacementRefused) as refused:
        video_store_file(video=Video.objects.get(video_id="1001"), path=path)

    assert_refusal_names_the_release(str(refused.value))
    assert snapshot("1001") == before


def test_the_admin_cannot_swap_the_file_and_says_who_holds_it(
    released: Video, curator: Any, tmp_path: Path
) -> None:
    from sciannot.accounts.models import User

    admin = User.objects.create_superuser(username="root", password="pw-root", role="curator")
    client = signed_in(admin)
    page = client.get(f"/admin/videos/video/{released.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert USED in html and "new video id" in html
    # The file fields are shown, not offered for upload: the form ignores a posted file.
    assert 'type="file"' not in html
    before = snapshot("1001")
    upload = io.BytesIO(other_video_bytes(tmp_path))
    upload.name = "jove_1001.mp4"
    client.post(f"/admin/videos/video/{released.pk}/change/", {"original": upload})
    assert snapshot("1001") == before


def test_deprecated_releases_and_open_studies_are_named(released: Video, curator: Any) -> None:
    from sciannot.accounts.models import User

    freeze("svb", "--version", "2.0.0")
    Release.objects.filter(version="1.0.0").update(status=ReleaseStatus.DEPRECATED)
    User.objects.create_user(username="evan", password="pw-evan", role="evaluator")
    call_command(
        "baseline_study",
        "pilot",
        "--release",
        "svb",
        "--version",
        "2.0.0",
        "--evaluators",
        "evan",
        stdout=io.StringIO(),
    )

    assert video_replacement_blockers(video=released) == [
        "the frozen releases svb 1.0.0 (deprecated), svb 2.0.0",
        "the open baseline study pilot",
    ]
    response = start_upload(signed_in(curator), b"x" * 1000, "1001")
    assert response.status_code == 409
    error = response.json()["error"]
    assert "svb 1.0.0 (deprecated), svb 2.0.0 and the open baseline study pilot" in error
    # Closing the study leaves the releases, which still hold the video.
    study_close(Study.objects.get())
    assert video_replacement_blockers(video=released) == [
        "the frozen releases svb 1.0.0 (deprecated), svb 2.0.0"
    ]


# --- Allowed when nothing relies on the file --------------------------------------------------


def test_a_video_no_release_holds_is_replaced_as_before(
    released: Video, incoming: Path, curator: Any, tmp_path: Path
) -> None:
    assert video_replacement_blockers(video=Video.objects.get(video_id="1002")) == []
    data = other_video_bytes(tmp_path)
    client = signed_in(curator)
    response = start_upload(client, data, "1002")
    assert response.status_code == 201, response.content
    upload = response.json()
    send_all(client, upload, data)
    response = client.post(upload["finish_url"], "{}", content_type="application/json")
    assert response.status_code == 200, response.content

    video = Video.objects.get(video_id="1002")
    assert video.sha256 == hashlib.sha256(data).hexdigest()
    assert served(client, video, "bytes=0-") == data


# --- A freeze and a replacement at the same moment ------------------------------------------------


@pytest.mark.postgres
def test_a_freeze_waits_for_a_replacement_in_progress_and_records_the_new_file(
    transactional_db: None,
    frozen_releases_cleared: None,
    video_dir: Path,
    tmp_path: Path,
    write_items: Any,
) -> None:
    import threading

    from django.db import connection, transaction

    from videos.services import video_store_file

    folder = tmp_path / "incoming"
    shutil.copytree(video_dir, folder)
    call_command("import_videos", str(folder), stdout=io.StringIO())
    item = make_item(video_id="1001", video_duration=20.0, question="Why at 00:05?")
    item["timestamp_breakdown"] = ["00:05-00:06: set up"]
    call_command(
        "import_questions", str(write_items([item])), "--status", "accepted", stdout=io.StringIO()
    )
    replacement = tmp_path / "jove_1001.mp4"
    replacement.write_bytes(other_video_bytes(tmp_path))
    errors: list[BaseException] = []

    def freeze_meanwhile() -> None:
        try:
            freeze("svb", "--version", "1.0.0")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        video_store_file(video=Video.objects.get(video_id="1001"), path=replacement)
        freezing = threading.Thread(target=freeze_meanwhile)
        freezing.start()
        freezing.join(timeout=2.0)
        # The freeze waits on the video's row instead of recording the file being replaced.
        assert freezing.is_alive() and not Release.objects.exists()
    freezing.join(timeout=60.0)

    assert not errors, errors
    recorded = Release.objects.get().manifest["video_files"]["1001"]
    assert recorded["sha256"] == hashlib.sha256(replacement.read_bytes()).hexdigest()
    assert recorded["sha256"] == Video.objects.get(video_id="1001").sha256
    # And from now on the release holds the file.
    with pytest.raises(ReplacementRefused):
        video_store_file(video=Video.objects.get(video_id="1001"), path=folder / "jove_1001.mp4")
