"""The media endpoint: HTTP Range (206), 416, If-Range, ETags, and who may fetch bytes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(benchmark: Any, tmp_path: Path, video_dir: Path) -> Video:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder))
    video = Video.objects.get(video_id="1001")
    Video.objects.filter(pk=video.pk).update(discipline="Biology", category="Biology")
    return video


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_serves_the_whole_file_with_accept_ranges(video: Video, curator: Any) -> None:
    response = signed_in(curator).get(f"/videos/{video.pk}/media/video")
    data = body(response)
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "video/mp4"
    assert int(response["Content-Length"]) == len(data) == video.size


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=0-99", 0, 99), ("bytes=100-", 100, None), ("bytes=-50", None, None)],
)
def test_it_answers_ranges_with_206(
    video: Video, curator: Any, header: str, first: int | None, last: int | None
) -> None:
    full = video.original.open("rb").read()
    size = len(full)
    response = signed_in(curator).get(f"/videos/{video.pk}/media/video", HTTP_RANGE=header)
    data = body(response)
    assert response.status_code == 206
    if header == "bytes=-50":
        first, last = size - 50, size - 1
    last = size - 1 if last is None else last
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert data == full[first : last + 1]
    assert int(response["Content-Length"]) == len(data)


def test_it_answers_416_past_the_end(video: Video, curator: Any) -> None:
    response = signed_in(curator).get(
        f"/videos/{video.pk}/media/video", HTTP_RANGE=f"bytes={video.size + 10}-"
    )
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{video.size}"


def test_it_sends_the_whole_file_when_if_range_is_stale(video: Video, curator: Any) -> None:
    response = signed_in(curator).get(
        f"/videos/{video.pk}/media/video", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"stale"'
    )
    assert response.status_code == 200
    current = signed_in(curator).get(f"/videos/{video.pk}/media/video", HTTP_RANGE="bytes=0-9")
    etag = current["ETag"]
    fresh = signed_in(curator).get(
        f"/videos/{video.pk}/media/video", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag
    )
    assert fresh.status_code == 206 and len(body(fresh)) == 10


def test_it_answers_304_to_a_matching_etag(video: Video, curator: Any) -> None:
    first = signed_in(curator).get(f"/videos/{video.pk}/media/video")
    again = signed_in(curator).get(
        f"/videos/{video.pk}/media/video", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304


def test_it_serves_media_only_to_people_allowed_to_see_the_video(
    video: Video, reviewer: Any, outsider: Any, evaluator: Any
) -> None:
    url = f"/videos/{video.pk}/media/video"
    assert signed_in(reviewer).get(url, HTTP_RANGE="bytes=0-9").status_code == 206
    assert signed_in(outsider).get(url).status_code == 404
    # Evaluators may play only the videos of their open studies; this is none of them.
    assert signed_in(evaluator).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_it_serves_the_poster(video: Video, curator: Any) -> None:
    response = signed_in(curator).get(f"/videos/{video.pk}/media/poster")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert body(response)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", (0, 0)),
        ("bytes=10-5", None),
        ("bytes=-2000", (0, 999)),
        ("bytes=-0", "unsatisfiable"),
        ("bytes=1000-", "unsatisfiable"),
        ("bytes=990-5000", (990, 999)),
        ("bytes=5-", (5, 999)),
        ("bytes=0-1,5-9", None),
        ("items=0-9", None),
        ("bytes=-", None),
    ],
)
def test_it_parses_range_headers(header: str, expected: object) -> None:
    from videos.streaming import parse_range

    assert parse_range(header, 1000) == expected


def test_the_player_offsets_seeks_into_a_copy_that_starts_later(video: Video, curator: Any) -> None:
    # A browser copy's timeline starts at the original's container start time; the page
    # tells the player how far to shift every data-seek time (which is on the original's).
    Video.objects.filter(pk=video.pk).update(start_time=1.5, playable=video.original.name)
    page = signed_in(curator).get(f"/videos/{video.pk}/").content.decode()
    assert 'data-offset="1.5"' in page
    assert f'src="/videos/{video.pk}/media/video"' in page
    Video.objects.filter(pk=video.pk).update(playable="")
    page = signed_in(curator).get(f"/videos/{video.pk}/").content.decode()
    assert 'data-offset="0.0"' in page


def test_it_answers_an_open_range_with_a_bounded_chunk() -> None:
    from videos.streaming import OPEN_RANGE_LIMIT, parse_range

    size = 2 * 1024**3  # a 2 GB video
    assert parse_range("bytes=0-", size) == (0, OPEN_RANGE_LIMIT - 1)
    assert parse_range(f"bytes={size - 10}-", size) == (size - 10, size - 1)
    # An explicit end is honoured: the client asked for exactly that.
    assert parse_range("bytes=0-99999999", size) == (0, 99999999)


def test_it_hands_the_bytes_to_nginx_after_checking_access(
    video: Video, curator: Any, outsider: Any, settings: Any
) -> None:
    settings.MEDIA_SERVING = "nginx"
    settings.MEDIA_ACCEL_PREFIX = "/protected-media/"
    response = signed_in(curator).get(f"/videos/{video.pk}/media/video")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{video.original.name}"
    assert response["Content-Type"] == "video/mp4"
    assert response.content == b""
    assert signed_in(outsider).get(f"/videos/{video.pk}/media/video").status_code == 404


def test_it_redirects_to_a_short_lived_signed_url_on_s3(
    video: Video, curator: Any, settings: Any
) -> None:
    settings.MEDIA_SERVING = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "media",
                "endpoint_url": "http://127.0.0.1:9",
                "access_key": "test",
                "secret_key": "test-secret",
                "region_name": "us-east-1",
                "querystring_auth": True,
                "querystring_expire": 300,
            },
        },
    }
    response = signed_in(curator).get(f"/videos/{video.pk}/media/video")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"http://127.0.0.1:9/media/{video.original.name}?")
    assert "Expires=" in location or "X-Amz-Expires=300" in location


def test_reading_the_file_in_open_ranges_like_a_player_gives_its_exact_bytes(
    video: Video, curator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import videos.streaming

    # Small pieces, so even a tiny test video takes many requests.
    monkeypatch.setattr(videos.streaming, "OPEN_RANGE_LIMIT", 4096)
    client = signed_in(curator)
    expected = video.original.open("rb").read()
    received = b""
    requests = 0
    while len(received) < len(expected):
        response = client.get(
            f"/videos/{video.pk}/media/video", HTTP_RANGE=f"bytes={len(received)}-"
        )
        assert response.status_code == 206
        chunk = body(response)
        assert 0 < len(chunk) <= 4096
        received += chunk
        requests += 1
    assert received == expected
    assert requests == -(-len(expected) // 4096)


@pytest.mark.parametrize(
    "header", ["bytes=" + "9" * 5000 + "-", "bytes=-" + "9" * 5000, "bytes=0-" + "9" * 5000]
)
def test_a_range_of_thousands_of_digits_is_unsatisfiable(
    video: Video, curator: Any, header: str
) -> None:
    response = signed_in(curator).get(f"/videos/{video.pk}/media/video", HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{video.size}"
