"""Chunked uploads to local storage: the protocol, resuming, refusals, and the Video they make."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from videos.models import MediaStatus, Transcript, Upload, UploadStatus, Video

pytestmark = pytest.mark.django_db

CREATE_URL = "/videos/uploads/"


def signed_in(user: Any, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def start(client: Client, *, name: str, size: int, kind: str = "video", **extra: Any) -> Any:
    payload = {"kind": kind, "name": name, "size": size, **extra}
    if kind == "video":
        payload.setdefault("video_id", "1001")
    return client.post(CREATE_URL, json.dumps(payload), content_type="application/json")


def put(client: Client, upload: dict[str, Any], data: bytes, offset: int, total: int) -> Any:
    return client.generic(
        "PUT",
        upload["chunk_url"],
        data,
        content_type="application/octet-stream",
        headers={"content-range": f"bytes {offset}-{offset + len(data) - 1}/{total}"},
    )


def send(client: Client, upload: dict[str, Any], data: bytes, *, chunk: int, start_at: int = 0):
    """Send `data` from `start_at` in chunks; the offsets the server acknowledged."""
    offsets = []
    offset = start_at
    while offset < len(data):
        response = put(client, upload, data[offset : offset + chunk], offset, len(data))
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]
        offsets.append(offset)
    return offsets


def upload_file(
    client: Client, data: bytes, *, name: str, chunk: int = 4096, kind: str = "video", **extra: Any
) -> dict[str, Any]:
    response = start(client, name=name, size=len(data), kind=kind, **extra)
    assert response.status_code == 201, response.content
    upload = response.json()
    send(client, upload, data, chunk=chunk)
    return upload


def finish(client: Client, upload: dict[str, Any], **documents: str) -> Any:
    return client.post(upload["finish_url"], json.dumps(documents), content_type="application/json")


def partial(upload: dict[str, Any]) -> Path:
    from django.conf import settings

    return Path(settings.MEDIA_ROOT) / Upload.objects.get(pk=upload["id"]).storage_key


@pytest.fixture
def video_bytes(video_dir: Path) -> bytes:
    return (video_dir / "jove_1001.mp4").read_bytes()


@pytest.fixture
def curator_client(curator: Any) -> Client:
    return signed_in(curator)


# --- The happy path -----------------------------------------------------------------------------


def test_it_uploads_a_video_in_chunks_and_probes_it(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    chunk = len(video_bytes) // 5 + 1
    response = start(curator_client, name="jove_1001.mp4", size=len(video_bytes))
    assert response.status_code == 201
    upload = response.json()
    assert (upload["offset"], upload["status"]) == (0, "receiving")

    offsets = send(curator_client, upload, video_bytes, chunk=chunk)
    assert len(offsets) == 5
    assert offsets == sorted(offsets) and offsets[-1] == len(video_bytes)
    assert partial(upload).read_bytes() == video_bytes
    assert Upload.objects.get(pk=upload["id"]).status == UploadStatus.RECEIVED

    response = finish(curator_client, upload)
    assert response.status_code == 200, response.content
    video = Video.objects.get(video_id="1001")
    assert response.json()["video_url"] == f"/videos/{video.pk}/"
    assert video.duration == pytest.approx(20.0, abs=0.25)
    assert video.fps == pytest.approx(5.0)
    assert (video.width, video.height, video.media_status) == (160, 90, MediaStatus.READY)
    assert video.size == len(video_bytes)
    assert video.source_name == "jove_1001.mp4"
    # A name the server made, in the originals folder, and the very bytes that were sent.
    assert video.original.name.startswith(f"videos/{benchmark.pk}/originals/jove_1001-")
    with video.original.open("rb") as stored:
        assert stored.read() == video_bytes
    with video.poster.open("rb") as poster:
        assert poster.read(2) == b"\xff\xd8"
    done = Upload.objects.get(pk=upload["id"])
    assert (done.status, done.attached_video) == (UploadStatus.DONE, video)
    # The partial file was moved into place, not copied.
    assert not list((Path(video.original.path).parents[3] / "uploads").glob("*.part"))

    page = curator_client.get(response.json()["video_url"])
    assert "jove_1001.mp4 is video 1001: 20.0 s at 5 fps" in page.content.decode()


def test_it_attaches_the_transcript_and_manuscript_with_the_video(
    benchmark: Any, curator_client: Client, video_bytes: bytes, video_dir: Path
) -> None:
    video = upload_file(curator_client, video_bytes, name="jove_1001.mp4")
    vtt = upload_file(
        curator_client, (video_dir / "1001.vtt").read_bytes(), name="1001.vtt", kind="transcript"
    )
    notes = "# Protocol\n\nHeat the flask to 80 °C.\n".encode()
    manuscript = upload_file(curator_client, notes, name="1001.md", kind="manuscript", chunk=10)

    response = finish(curator_client, video, transcript=vtt["id"], manuscript=manuscript["id"])

    assert response.status_code == 200, response.content
    stored = Video.objects.get(video_id="1001")
    cues = list(stored.transcript.cues.values_list("start", "end", "text"))
    assert cues[1] == (5.0, 10.0, "The reagents are mixed at a 1:10 ratio.")
    assert stored.transcript.source_name == "1001.vtt"
    assert stored.manuscript.text == notes.decode()
    assert stored.manuscript.format == "markdown"
    for upload in (vtt, manuscript):
        assert Upload.objects.get(pk=upload["id"]).status == UploadStatus.DONE
        assert not partial(upload).exists()


def test_an_mkv_gets_a_browser_copy_queued(
    benchmark: Any, curator_client: Client, video_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = (video_dir / "jove_1002.mkv").read_bytes()
    upload = upload_file(curator_client, data, name="jove_1002.mkv", video_id="1002")
    with django_capture_on_commit_callbacks() as callbacks:
        assert finish(curator_client, upload).status_code == 200
    video = Video.objects.get(video_id="1002")
    assert video.media_status == MediaStatus.PROCESSING
    assert video.original.name.endswith(".mkv")
    assert callbacks, "the browser copy is queued once the video is committed"


# --- Resuming ------------------------------------------------------------------------------------


def test_it_resumes_from_the_offset_the_server_reports(
    benchmark: Any, curator: Any, video_bytes: bytes
) -> None:
    chunk = 8192
    first_tab = signed_in(curator)
    upload = start(first_tab, name="jove_1001.mp4", size=len(video_bytes)).json()
    for offset in (0, chunk):
        piece = video_bytes[offset : offset + chunk]
        assert put(first_tab, upload, piece, offset, len(video_bytes)).status_code == 200

    # The page is reloaded: a new client asks how far the upload got, and goes on from there.
    reloaded = signed_in(curator)
    status = reloaded.get(upload["status_url"])
    assert status.status_code == 200
    assert status.json()["offset"] == 2 * chunk
    assert status["Upload-Offset"] == str(2 * chunk)
    send(reloaded, upload, video_bytes, chunk=chunk, start_at=status.json()["offset"])

    assert finish(reloaded, upload).status_code == 200
    with Video.objects.get(video_id="1001").original.open("rb") as stored:
        assert stored.read() == video_bytes


def test_a_chunk_at_the_wrong_offset_is_refused_with_the_expected_one(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    chunk = 4096
    total = len(video_bytes)
    upload = start(curator_client, name="jove_1001.mp4", size=total).json()
    assert put(curator_client, upload, video_bytes[:chunk], 0, total).status_code == 200

    refusals = {
        "skips ahead": 2 * chunk,
        "repeats the first chunk": 0,
        "overlaps the first chunk": chunk - 100,
    }
    for what, offset in refusals.items():
        response = put(curator_client, upload, video_bytes[offset : offset + chunk], offset, total)
        assert response.status_code == 409, what
        assert response.json()["expected_offset"] == chunk, what
        assert f"expected the chunk at byte {chunk}, not {offset}" in response.json()["error"]
    assert partial(upload).read_bytes() == video_bytes[:chunk]
    assert Upload.objects.get(pk=upload["id"]).received_bytes == chunk


def test_the_partial_file_is_brought_back_to_what_was_acknowledged(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    total = len(video_bytes)
    upload = start(curator_client, name="jove_1001.mp4", size=total).json()
    assert put(curator_client, upload, video_bytes[:4000], 0, total).status_code == 200

    # Bytes of a chunk whose request died after writing but before it was acknowledged.
    with partial(upload).open("ab") as handle:
        handle.write(b"garbage never acknowledged")
    assert put(curator_client, upload, video_bytes[4000:8000], 4000, total).status_code == 200
    assert partial(upload).read_bytes() == video_bytes[:8000]

    # Acknowledged bytes lost (the disk was restored from before them): the client is told to
    # go on from what is really there.
    with partial(upload).open("r+b") as handle:
        handle.truncate(6000)
    response = put(curator_client, upload, video_bytes[8000:12000], 8000, total)
    assert response.status_code == 409
    assert response.json()["expected_offset"] == 6000
    assert curator_client.get(upload["status_url"]).json()["offset"] == 6000
    send(curator_client, upload, video_bytes, chunk=4000, start_at=6000)
    assert finish(curator_client, upload).status_code == 200
    with Video.objects.get(video_id="1001").original.open("rb") as stored:
        assert stored.read() == video_bytes


def test_a_chunk_that_does_not_fit_the_upload_is_refused(
    benchmark: Any, curator_client: Client, video_bytes: bytes, settings: Any
) -> None:
    total = len(video_bytes)
    upload = start(curator_client, name="jove_1001.mp4", size=total).json()

    wrong_total = put(curator_client, upload, video_bytes[:100], 0, total + 1)
    assert wrong_total.status_code == 400
    assert f"this upload is {total} bytes" in wrong_total.json()["error"]

    past_end = put(curator_client, upload, b"x" * 200, total - 100, total + 100)
    assert past_end.status_code == 400  # a different file's size

    no_range = curator_client.generic("PUT", upload["chunk_url"], b"abc")
    assert no_range.status_code == 400
    assert "Content-Range" in no_range.json()["error"]

    short_body = curator_client.generic(
        "PUT",
        upload["chunk_url"],
        b"x" * 100,
        content_type="application/octet-stream",
        headers={"content-range": f"bytes 0-199/{total}"},
    )
    assert short_body.status_code == 400
    assert "the body is 100 bytes but the range covers 200" in short_body.json()["error"]

    settings.UPLOAD_CHUNK_MAX_BYTES = 1000
    too_big = put(curator_client, upload, video_bytes[:2000], 0, total)
    assert too_big.status_code == 413
    assert "a chunk may be at most" in too_big.json()["error"]

    assert Upload.objects.get(pk=upload["id"]).received_bytes == 0
    assert not partial(upload).exists() or partial(upload).stat().st_size == 0


def test_an_oversize_chunk_at_the_end_is_refused(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    upload = start(curator_client, name="jove_1001.mp4", size=1000).json()
    response = put(curator_client, upload, video_bytes[:1500], 0, 1000)
    assert response.status_code == 413
    assert "past the declared size 1000" in response.json()["error"]


# --- Refusals before the first byte ------------------------------------------------------------


def test_an_empty_file_is_refused(benchmark: Any, curator_client: Client) -> None:
    response = start(curator_client, name="jove_1001.mp4", size=0)
    assert response.status_code == 400
    assert response.json()["error"] == "jove_1001.mp4 is empty (0 bytes)"
    assert not Upload.objects.exists()


def test_an_oversize_declared_size_is_refused(
    benchmark: Any, curator_client: Client, settings: Any
) -> None:
    too_big = start(curator_client, name="jove_1001.mp4", size=settings.VIDEO_UPLOAD_MAX_BYTES + 1)
    assert too_big.status_code == 413
    assert "the limit for a video is 4.0 GiB" in too_big.json()["error"]

    settings.DOCUMENT_UPLOAD_MAX_BYTES = 1024
    big_notes = start(curator_client, name="notes.md", size=2048, kind="manuscript")
    assert big_notes.status_code == 413
    assert "notes.md is 2.0 KiB; the limit for a manuscript is 1.0 KiB" in big_notes.json()["error"]
    assert not Upload.objects.exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"name": "jove_1001.avi"}, "a video must be a .mp4, .mkv, .webm or .mov file"),
        ({"name": "../../etc/passwd"}, "passwd: a video must be a .mp4"),
        ({"name": "notes.pdf", "kind": "transcript"}, "a transcript must be a .vtt, .srt or .json"),
        ({"video_id": "../../etc/passwd"}, "video id '../../etc/passwd': use 1 to 64 letters"),
        ({"video_id": "x" * 65}, "use 1 to 64 letters, digits"),
        ({"video_id": ""}, "give the video an id"),
        ({"size": "12"}, "the size must be a whole number of bytes"),
        ({"kind": "poster"}, "unknown kind of file 'poster'"),
        ({"name": "x" * 300 + ".mp4"}, "the file name is 304 characters long; the limit is 200"),
    ],
)
def test_bad_declarations_are_refused(
    benchmark: Any, curator_client: Client, payload: dict[str, Any], message: str
) -> None:
    body = {"kind": "video", "name": "jove_1001.mp4", "size": 1000, "video_id": "1001", **payload}
    response = curator_client.post(CREATE_URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Upload.objects.exists()


def test_a_path_in_the_file_name_never_names_a_stored_file(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    upload = upload_file(curator_client, video_bytes, name="../../etc/passwd.mp4", video_id="p1")
    assert Upload.objects.get(pk=upload["id"]).original_name == "passwd.mp4"
    assert partial(upload).parent.name == "uploads"
    assert finish(curator_client, upload).status_code == 200
    video = Video.objects.get(video_id="p1")
    assert video.original.name.startswith(f"videos/{benchmark.pk}/originals/jove_p1-")
    assert ".." not in video.original.name and "passwd" not in video.original.name


# --- Refusals at the end ------------------------------------------------------------------------


def test_a_renamed_text_file_is_not_a_video_and_leaves_nothing(
    benchmark: Any, curator_client: Client
) -> None:
    text = b"This is a lab notebook, not a video.\n" * 200
    upload = upload_file(curator_client, text, name="jove_2001.mp4", video_id="2001")
    assert partial(upload).exists()

    response = finish(curator_client, upload)

    assert response.status_code == 400
    assert response.json()["error"].startswith("jove_2001.mp4 is not a video PyAV can decode: ")
    assert not Video.objects.exists()
    failed = Upload.objects.get(pk=upload["id"])
    assert failed.status == UploadStatus.FAILED
    assert "not a video PyAV can decode" in failed.error
    assert not partial(upload).exists()
    # A failed upload takes no more bytes and cannot be finished again.
    assert finish(curator_client, upload).status_code == 409


def test_an_unfinished_upload_cannot_be_finished(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    upload = start(curator_client, name="jove_1001.mp4", size=len(video_bytes)).json()
    put(curator_client, upload, video_bytes[:1000], 0, len(video_bytes))
    response = finish(curator_client, upload)
    assert response.status_code == 409
    assert f"1000 of {len(video_bytes)} bytes received" in response.json()["error"]
    assert response.json()["expected_offset"] == 1000
    assert not Video.objects.exists()


VTT_PAST_END = "WEBVTT\n\n00:00.000 --> 00:02.000\nStart.\n\n01:30.000 --> 01:32.000\nLate.\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"WEBVTT\n\n" + "Heat to 80 °C".encode("latin-1"), "is not UTF-8 text"),
        (b"WEBVTT\n\n", "it has no cues"),
        (VTT_PAST_END.encode(), "a cue starts at 90.0 s, after the end of the video (20.0 s)"),
        (b"WEBVTT\n\n00:05.000 --> 00:0x.000\nBroken.\n", "line 3"),
        (
            b"WEBVTT\n\n00:01.000 --> 00:02.000\n" + b"x" * 5001 + b"\n",
            "cue 1 (at 1.0s) is 5,001 characters long; the limit is 5,000",
        ),
    ],
)
def test_a_bad_transcript_fails_alone_and_nothing_is_created(
    benchmark: Any, curator_client: Client, video_bytes: bytes, content: bytes, message: str
) -> None:
    video = upload_file(curator_client, video_bytes, name="jove_1001.mp4")
    transcript = upload_file(curator_client, content, name="1001.vtt", kind="transcript")

    response = finish(curator_client, video, transcript=transcript["id"])

    assert response.status_code == 400
    assert response.json()["error"].startswith("transcript 1001.vtt")
    assert message in response.json()["error"]
    assert not Video.objects.exists()
    assert not Transcript.objects.exists()
    assert Upload.objects.get(pk=transcript["id"]).status == UploadStatus.FAILED
    # The video's bytes stay: it is finished again without the bad transcript.
    assert Upload.objects.get(pk=video["id"]).status == UploadStatus.RECEIVED
    assert partial(video).stat().st_size == len(video_bytes)
    assert finish(curator_client, video).status_code == 200
    assert Video.objects.get(video_id="1001").duration == pytest.approx(20.0, abs=0.25)


def test_a_bad_manuscript_fails_alone(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    video = upload_file(curator_client, video_bytes, name="jove_1001.mp4")
    for content, message in [
        ("Protokoll: 80 °C".encode("latin-1"), "manuscript 1001.md is not UTF-8 text"),
        (b"  \n\n ", "manuscript 1001.md is empty"),
    ]:
        notes = upload_file(curator_client, content, name="1001.md", kind="manuscript")
        response = finish(curator_client, video, manuscript=notes["id"])
        assert response.status_code == 400
        assert response.json()["error"] == message
        assert not Video.objects.exists()
        assert Upload.objects.get(pk=video["id"]).status == UploadStatus.RECEIVED


# --- Replacing a video's file ------------------------------------------------------------------


def test_an_existing_file_is_replaced_only_when_asked_and_only_by_a_good_one(
    benchmark: Any,
    curator_client: Client,
    video_bytes: bytes,
    video_dir: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = upload_file(curator_client, video_bytes, name="jove_1001.mp4")
    assert finish(curator_client, first).status_code == 200
    video = Video.objects.get(video_id="1001")
    old_name = video.original.name

    refused = start(curator_client, name="jove_1001.mp4", size=len(video_bytes))
    assert refused.status_code == 409
    assert "video 1001 already has a file; tick “replace”" in refused.json()["error"]

    # A replacement that is not a video changes nothing: the old file stays.
    bad = upload_file(curator_client, b"not a video" * 100, name="jove_1001.mp4", replace=True)
    assert finish(curator_client, bad).status_code == 400
    video.refresh_from_db()
    assert video.original.name == old_name
    assert video.original.storage.exists(old_name)

    mkv = (video_dir / "jove_1002.mkv").read_bytes()
    good = upload_file(curator_client, mkv, name="other.mkv", replace=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = finish(curator_client, good)
    assert response.status_code == 200
    assert "(file replaced)" in curator_client.get(response.json()["video_url"]).content.decode()
    video.refresh_from_db()
    assert video.original.name != old_name and video.original.name.endswith(".mkv")
    assert video.duration == pytest.approx(12.0, abs=0.25)
    assert not video.original.storage.exists(old_name)
    assert Video.objects.count() == 1


# --- Who may upload -----------------------------------------------------------------------------


def test_only_curators_may_upload(
    benchmark: Any, curator_client: Client, reviewer: Any, evaluator: Any, video_bytes: bytes
) -> None:
    upload = start(curator_client, name="jove_1001.mp4", size=len(video_bytes)).json()
    for user in (reviewer, evaluator):
        client = signed_in(user)
        assert client.get("/videos/upload/").status_code == 403
        assert start(client, name="jove_1001.mp4", size=100).status_code == 403
        assert put(client, upload, video_bytes[:100], 0, len(video_bytes)).status_code == 403
        assert client.get(upload["status_url"]).status_code == 403
    anonymous = Client()
    assert anonymous.get("/videos/upload/")["Location"].startswith("/accounts/login/")
    assert start(anonymous, name="jove_1001.mp4", size=100).status_code == 302
    assert Upload.objects.count() == 1
    assert Upload.objects.get().received_bytes == 0


def test_a_curator_cannot_touch_another_curators_upload(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    from sciannot.accounts.models import User

    upload = start(curator_client, name="jove_1001.mp4", size=len(video_bytes)).json()
    other = signed_in(User.objects.create_user("carl", password="pw-carl", role="curator"))
    assert other.get(upload["status_url"]).status_code == 404
    assert put(other, upload, video_bytes[:100], 0, len(video_bytes)).status_code == 404
    assert other.post(upload["cancel_url"]).status_code == 404
    assert finish(other, upload).status_code == 404
    mine = upload_file(
        curator_client, b"WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", name="a.vtt", kind="transcript"
    )
    theirs = upload_file(other, video_bytes, name="jove_1001.mp4")
    response = finish(other, theirs, transcript=mine["id"])
    assert response.status_code == 404
    assert "no transcript upload" in response.json()["error"]
    assert Upload.objects.get(pk=upload["id"]).status == UploadStatus.RECEIVING


def test_every_request_needs_the_csrf_token(benchmark: Any, curator: Any) -> None:
    client = signed_in(curator, enforce_csrf_checks=True)
    page = client.get("/videos/upload/")
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    body = json.dumps({"kind": "video", "name": "jove_1.mp4", "size": 10, "video_id": "1"})

    without = client.post(CREATE_URL, body, content_type="application/json")
    assert without.status_code == 403
    created = client.post(
        CREATE_URL, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert created.status_code == 201
    upload = created.json()
    chunk_headers = {"content-range": "bytes 0-9/10"}
    refused = client.generic("PUT", upload["chunk_url"], b"x" * 10, headers=chunk_headers)
    assert refused.status_code == 403
    assert Upload.objects.get().received_bytes == 0
    accepted = client.generic(
        "PUT", upload["chunk_url"], b"x" * 10, headers={**chunk_headers, "X-CSRFToken": token}
    )
    assert accepted.status_code == 200


# --- Cancelling and cleaning up ----------------------------------------------------------------


def test_cancel_deletes_the_partial_file(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    upload = start(curator_client, name="jove_1001.mp4", size=len(video_bytes)).json()
    put(curator_client, upload, video_bytes[:5000], 0, len(video_bytes))
    assert partial(upload).exists()
    page = curator_client.get("/videos/upload/").content.decode()
    assert 'data-testid="unfinished-uploads"' in page

    response = curator_client.post(upload["cancel_url"])

    assert response.status_code == 302
    assert Upload.objects.get(pk=upload["id"]).status == UploadStatus.CANCELLED
    assert not partial(upload).exists()
    more = put(curator_client, upload, video_bytes[5000:6000], 5000, len(video_bytes))
    assert more.status_code == 410
    page = curator_client.get("/videos/upload/").content.decode()
    assert 'data-testid="unfinished-uploads"' not in page


def test_cleanup_expires_abandoned_uploads_only(
    benchmark: Any, curator_client: Client, video_bytes: bytes
) -> None:
    stale = start(curator_client, name="jove_1001.mp4", size=len(video_bytes)).json()
    put(curator_client, stale, video_bytes[:5000], 0, len(video_bytes))
    fresh = start(
        curator_client, name="jove_1002.mp4", size=len(video_bytes), video_id="1002"
    ).json()
    put(curator_client, fresh, video_bytes[:5000], 0, len(video_bytes))
    Upload.objects.filter(pk=stale["id"]).update(expires_at=timezone.now() - timedelta(minutes=1))

    out = StringIO()
    call_command("cleanup_uploads", stdout=out)

    assert out.getvalue().strip() == "1 abandoned upload(s) expired and deleted."
    # Celery beat runs the same every hour; with nothing stale it expires nothing.
    from django.conf import settings

    from videos.tasks import cleanup_uploads

    assert settings.CELERY_BEAT_SCHEDULE["uploads-cleanup"]["task"] == cleanup_uploads.name
    assert cleanup_uploads.apply().get() == 0
    assert Upload.objects.get(pk=stale["id"]).status == UploadStatus.EXPIRED
    assert not partial(stale).exists()
    assert Upload.objects.get(pk=fresh["id"]).status == UploadStatus.RECEIVING
    assert partial(fresh).stat().st_size == 5000
    # Every chunk pushes the expiry back.
    before = Upload.objects.get(pk=fresh["id"]).expires_at
    put(curator_client, fresh, video_bytes[5000:6000], 5000, len(video_bytes))
    assert Upload.objects.get(pk=fresh["id"]).expires_at > before


# --- The page ------------------------------------------------------------------------------------


def test_the_video_list_links_to_the_upload_page(
    benchmark: Any, curator_client: Client, settings: Any
) -> None:
    settings.UPLOAD_CHUNK_BYTES = 65536
    assert 'href="/videos/upload/"' in curator_client.get("/videos/").content.decode()
    page = curator_client.get("/videos/upload/").content.decode()
    assert 'data-chunk-size="65536"' in page
    assert 'data-create-url="/videos/uploads/"' in page
    assert "<progress" in page
    assert "static/js/upload.js" in page
    # Nothing a strict Content-Security-Policy would block.
    assert "style=" not in page and " onclick=" not in page and "hx-on" not in page
    assert "<script>" not in page


# --- Settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"VIDEO_UPLOAD_MAX_BYTES": "4G"}, "VIDEO_UPLOAD_MAX_BYTES must be a whole number"),
        ({"DOCUMENT_UPLOAD_MAX_BYTES": "0"}, "DOCUMENT_UPLOAD_MAX_BYTES must be at least 1"),
        (
            {"UPLOAD_CHUNK_BYTES": "2000", "UPLOAD_CHUNK_MAX_BYTES": "1000"},
            "UPLOAD_CHUNK_BYTES (2000) must not exceed UPLOAD_CHUNK_MAX_BYTES (1000)",
        ),
    ],
)
def test_bad_upload_settings_stop_the_start(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    from tests.test_settings import run_settings

    result = run_settings(env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    "content_range",
    [f"bytes 0-{'9' * 5000}/{'9' * 5000}", "bytes ٠-١/٢", "bytes 0-1/" + "9" * 25],
)
def test_a_content_range_of_absurd_numbers_is_refused(
    curator_client: Client, content_range: str
) -> None:
    upload = start(curator_client, name="jove_1001.mp4", size=1000).json()
    response = curator_client.generic(
        "PUT",
        upload["chunk_url"],
        b"ab",
        content_type="application/octet-stream",
        headers={"content-range": content_range},
    )
    assert response.status_code == 400
    assert "Content-Range" in response.json()["error"]
    assert curator_client.get(upload["status_url"]).json()["offset"] == 0
