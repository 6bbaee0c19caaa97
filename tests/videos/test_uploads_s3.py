"""Uploads with STORAGE=s3, against a real S3-compatible server on loopback (moto's server in
a thread): multipart uploads with parts of at least 5 MiB, aborted when cancelled or expired."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.test import Client
from django.utils import timezone

from tests.videos.test_uploads import put
from videos.models import MediaStatus, Upload, UploadStatus, Video
from videos.synthetic import make_synthetic_video

BUCKET = "sciannot-media"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str, settings: Any, tmp_path: Path) -> Any:
    """STORAGE=s3 for this test, on a fresh bucket; the boto3 client to look inside it."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test-secret",
        region_name="us-east-1",
    )
    for bucket in client.list_buckets().get("Buckets", []):
        objects = client.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
        for item in objects:
            client.delete_object(Bucket=bucket["Name"], Key=item["Key"])
        client.delete_bucket(Bucket=bucket["Name"])
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGE = "s3"
    settings.MEDIA_SERVING = "s3"
    settings.UPLOAD_BUFFER_DIR = tmp_path / "buffers"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test-secret",
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    return client


@pytest.fixture(scope="module")
def big_video(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An 11 MB video (uncompressed frames), so it takes three S3 parts."""
    path = tmp_path_factory.mktemp("s3-videos") / "jove_3001.mkv"
    make_synthetic_video(
        path,
        duration=4,
        width=640,
        height=360,
        fps=8,
        codec="rawvideo",
        container_format="matroska",
        audio=False,
    )
    return path.read_bytes()


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(client: Client, **payload: Any) -> dict[str, Any]:
    response = client.post("/videos/uploads/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def finish(client: Client, upload: dict[str, Any], **documents: str) -> Any:
    return client.post(upload["finish_url"], json.dumps(documents), content_type="application/json")


def multipart_uploads(s3: Any) -> list[dict[str, Any]]:
    return list(s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []))


def keys(s3: Any) -> list[str]:
    return [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


@pytest.mark.django_db
def test_it_assembles_a_multipart_upload_in_s3_and_makes_the_video(
    s3: Any, s3_endpoint: str, benchmark: Any, curator: Any, big_video: bytes, settings: Any
) -> None:
    client = signed_in(curator)
    total = len(big_video)
    upload = start(client, kind="video", name="jove_3001.mkv", size=total, video_id="3001")
    stored = Upload.objects.get(pk=upload["id"])
    assert stored.s3_upload_id
    assert stored.storage_key.startswith(f"videos/{benchmark.pk}/originals/jove_3001-")
    [pending] = multipart_uploads(s3)
    assert pending["Key"] == stored.storage_key

    # 1 MiB chunks: smaller than an S3 part, so they wait on disk until 5 MiB have come.
    offset = 0
    buffered = []
    while offset < total:
        response = put(client, upload, big_video[offset : offset + MiB], offset, total)
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]
        buffer = Path(settings.UPLOAD_BUFFER_DIR) / f"{stored.id.hex}.buf"
        buffered.append(buffer.stat().st_size if buffer.exists() else 0)
    assert max(buffered) < 5 * MiB

    stored.refresh_from_db()
    sizes = [part["size"] for part in stored.s3_parts]
    assert len(sizes) == 3
    assert all(size >= 5 * MiB for size in sizes[:-1])
    assert sum(sizes) == total
    assert multipart_uploads(s3) == []
    assert s3.head_object(Bucket=BUCKET, Key=stored.storage_key)["ContentLength"] == total

    response = finish(client, upload)
    assert response.status_code == 200, response.content

    video = Video.objects.get(video_id="3001")
    assert video.original.name == stored.storage_key  # no copy: the parts were put in place
    assert (video.duration, video.fps, video.width) == (4.0, 8.0, 640)
    assert video.media_status == MediaStatus.PROCESSING  # raw frames need a browser copy
    body = s3.get_object(Bucket=BUCKET, Key=video.original.name)["Body"].read()
    assert body == big_video
    assert video.poster.name in keys(s3)
    media = client.get(f"/videos/{video.pk}/media/original")
    assert media.status_code == 302
    assert media["Location"].startswith(
        f"{settings.STORAGES['default']['OPTIONS']['endpoint_url']}/"
    )
    assert not list(Path(settings.UPLOAD_BUFFER_DIR).glob("*"))


@pytest.mark.django_db
def test_small_files_and_documents_go_up_as_one_last_part(
    s3: Any, benchmark: Any, curator: Any, video_dir: Path
) -> None:
    client = signed_in(curator)
    data = (video_dir / "jove_1001.mp4").read_bytes()
    upload = start(client, kind="video", name="jove_1001.mp4", size=len(data), video_id="1001")
    for offset in range(0, len(data), 20000):
        assert (
            put(client, upload, data[offset : offset + 20000], offset, len(data)).status_code == 200
        )
    vtt = (video_dir / "1001.vtt").read_bytes()
    transcript = start(client, kind="transcript", name="1001.vtt", size=len(vtt))
    assert put(client, transcript, vtt, 0, len(vtt)).status_code == 200

    response = finish(client, upload, transcript=transcript["id"])

    assert response.status_code == 200, response.content
    video = Video.objects.get(video_id="1001")
    assert video.duration == pytest.approx(20.0, abs=0.25)
    assert video.transcript.cues.count() == 3
    # The transcript's object is gone once its cues are in the database.
    assert keys(s3) == sorted([video.original.name, video.poster.name])


@pytest.mark.django_db
def test_a_renamed_text_file_is_deleted_from_s3(s3: Any, benchmark: Any, curator: Any) -> None:
    client = signed_in(curator)
    text = b"not a video at all\n" * 1000
    upload = start(client, kind="video", name="jove_4001.mp4", size=len(text), video_id="4001")
    assert put(client, upload, text, 0, len(text)).status_code == 200
    assert len(keys(s3)) == 1

    response = finish(client, upload)

    assert response.status_code == 400
    assert "is not a video PyAV can decode" in response.json()["error"]
    assert keys(s3) == []
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_cancel_and_expiry_abort_the_multipart_upload(
    s3: Any, benchmark: Any, curator: Any, big_video: bytes
) -> None:
    from videos.uploads.services import uploads_expire

    client = signed_in(curator)
    total = len(big_video)
    cancelled = start(client, kind="video", name="a.mkv", size=total, video_id="a")
    abandoned = start(client, kind="video", name="b.mkv", size=total, video_id="b")
    for upload in (cancelled, abandoned):
        assert put(client, upload, big_video[: 6 * MiB], 0, total).status_code == 200
    assert len(multipart_uploads(s3)) == 2

    assert client.post(cancelled["cancel_url"]).status_code == 302
    assert [u["Key"] for u in multipart_uploads(s3)] == [
        Upload.objects.get(pk=abandoned["id"]).storage_key
    ]

    Upload.objects.filter(pk=abandoned["id"]).update(expires_at=timezone.now() - timedelta(1))
    assert uploads_expire() == 1
    assert multipart_uploads(s3) == []
    assert keys(s3) == []
    assert set(Upload.objects.values_list("status", flat=True)) == {
        UploadStatus.CANCELLED,
        UploadStatus.EXPIRED,
    }


@pytest.mark.django_db
def test_a_lost_part_buffer_makes_the_client_resend_from_the_last_part(
    s3: Any, benchmark: Any, curator: Any, big_video: bytes, settings: Any
) -> None:
    """A chunk that reaches a web process without the buffer (another host, a restart) is
    refused with the offset of the last part, and the upload goes on from there."""
    client = signed_in(curator)
    total = len(big_video)
    upload = start(client, kind="video", name="c.mkv", size=total, video_id="c")
    offset = 0
    while offset < 6 * MiB:
        offset = put(client, upload, big_video[offset : offset + MiB], offset, total).json()[
            "offset"
        ]
    assert put(client, upload, big_video[offset : offset + MiB], offset, total).status_code == 200
    offset += MiB
    committed = sum(p["size"] for p in Upload.objects.get(pk=upload["id"]).s3_parts)
    assert 0 < committed < offset

    for buffer in Path(settings.UPLOAD_BUFFER_DIR).glob("*.buf"):
        buffer.unlink()
    response = put(client, upload, big_video[offset : offset + MiB], offset, total)

    assert response.status_code == 409
    assert response.json()["expected_offset"] == committed
    offset = committed
    while offset < total:
        response = put(client, upload, big_video[offset : offset + MiB], offset, total)
        assert response.status_code == 200, response.content
        offset = response.json()["offset"]
    assert (
        client.post(upload["finish_url"], "{}", content_type="application/json").status_code == 200
    )
    video = Video.objects.get(video_id="c")
    assert s3.get_object(Bucket=BUCKET, Key=video.original.name)["Body"].read() == big_video
