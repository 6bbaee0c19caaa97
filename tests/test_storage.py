"""Media on S3: signed URLs name the address browsers reach; empty settings mean defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sciannot.storage import MediaS3Storage

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = {
    "bucket_name": "media",
    "endpoint_url": "http://minio:9000",
    "region_name": "us-east-1",
    "access_key": "test",
    "secret_key": "test-secret",
    "querystring_auth": True,
    "querystring_expire": 300,
    "signature_version": "s3v4",
}


def test_urls_are_signed_for_the_public_address_when_there_is_one() -> None:
    storage = MediaS3Storage(**OPTIONS, public_endpoint_url="https://annotate.example.org")
    url = storage.url("videos/1/originals/jove_1 a.mp4")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == "https://annotate.example.org"
    assert parts.path == "/media/videos/1/originals/jove_1%20a.mp4"
    query = parse_qs(parts.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-SignedHeaders"] == ["host"]
    assert "X-Amz-Signature" in query
    # The same object signed for the internal address has another signature: the host counts.
    internal = MediaS3Storage(**OPTIONS).url("videos/1/originals/jove_1 a.mp4")
    assert internal.startswith("http://minio:9000/media/videos/1/originals/jove_1%20a.mp4?")
    assert parse_qs(urlsplit(internal).query)["X-Amz-Signature"] != query["X-Amz-Signature"]


def test_an_expiry_can_be_asked_for() -> None:
    storage = MediaS3Storage(**OPTIONS, public_endpoint_url="http://localhost:8000")
    query = parse_qs(urlsplit(storage.url("a.mp4", expire=60)).query)
    assert query["X-Amz-Expires"] == ["60"]


def probe(env_changes: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "sciannot.settings", "SCIANNOT_VAR_DIR": str(tmp_path)})
    env.update(env_changes)
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'serving': settings.MEDIA_SERVING, 'media': str(settings.MEDIA_ROOT), "
        "'backend': settings.STORAGES['default']['BACKEND'], "
        "'public': settings.STORAGES['default']['OPTIONS'].get('public_endpoint_url'), "
        "'signature': settings.STORAGES['default']['OPTIONS'].get('signature_version')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(result.stdout))


def test_empty_variables_mean_the_defaults_as_compose_passes_them(tmp_path: Path) -> None:
    local = probe({"STORAGE": "", "MEDIA_SERVING": "", "MEDIA_ROOT": ""}, tmp_path)
    assert local["serving"] == "django"
    assert local["media"] == str(tmp_path / "media")
    assert local["backend"] == "django.core.files.storage.FileSystemStorage"
    s3 = probe(
        {
            "STORAGE": "s3",
            "MEDIA_SERVING": "",
            "AWS_S3_PUBLIC_ENDPOINT_URL": "http://localhost:8000",
        },
        tmp_path,
    )
    assert s3 == {
        "serving": "s3",
        "media": str(tmp_path / "media"),
        "backend": "sciannot.storage.MediaS3Storage",
        "public": "http://localhost:8000",
        "signature": "s3v4",
    }
