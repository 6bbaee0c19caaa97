"""Every page carries the Content-Security-Policy and the other security headers, for every
role, and the policy names the object store when it serves the media."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.security.world import World, build_world

ROOT = Path(__file__).resolve().parents[2]

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(header: str) -> dict[str, str]:
    directives = [part.strip() for part in header.split(";") if part.strip()]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in directives}


def assert_secure_headers(response: Any, where: str) -> None:
    assert policy(response["Content-Security-Policy"]) == EXPECTED_CSP, where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where
    permissions = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions, where


@pytest.fixture
def world(db: None, tmp_path: Path, video_dir: Path) -> World:
    return build_world(tmp_path, video_dir)


def test_it_sends_the_headers_on_every_page_of_every_role(world: World) -> None:
    users = {"curator": world.curator, "reviewer": world.reviewer, "evaluator": world.evaluator}
    seen = 0
    for role, paths in world.pages().items():
        client = Client()
        client.force_login(users[role])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, f"{role} {path}: {response.status_code}"
            assert response["Content-Type"].startswith("text/html"), path
            assert_secure_headers(response, f"{role} {path}")
            seen += 1
    assert seen == sum(len(paths) for paths in world.pages().values())


def test_it_sends_them_on_the_sign_in_page_errors_and_the_api(world: World) -> None:
    anonymous = Client()
    assert_secure_headers(anonymous.get("/accounts/login/"), "login")
    signed_in = Client()
    signed_in.force_login(world.reviewer)
    refused = signed_in.get("/releases/")
    assert refused.status_code == 403
    assert_secure_headers(refused, "403")
    missing = signed_in.get("/questions/q_nosuchitem/")
    assert missing.status_code == 404
    assert_secure_headers(missing, "404")
    api = signed_in.get("/api/questions/")
    assert api.status_code == 200
    assert_secure_headers(api, "api")


def settings_probe(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "sciannot.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    directives: dict[str, Any] = json.loads(result.stdout)
    return directives


def test_it_lets_the_player_load_signed_urls_from_the_object_store() -> None:
    local = settings_probe({})
    assert local["media-src"] == ["'self'", "blob:"]
    minio = settings_probe(
        {
            "STORAGE": "s3",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000/",
            "AWS_STORAGE_BUCKET_NAME": "v",
        }
    )
    assert minio["media-src"] == ["'self'", "blob:", "http://127.0.0.1:9000"]
    assert minio["img-src"] == ["'self'", "data:", "blob:", "http://127.0.0.1:9000"]
    assert minio["script-src"] == ["'self'"]
    aws = settings_probe(
        {"STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "videos", "AWS_S3_REGION_NAME": "eu-west-1"}
    )
    assert "https://videos.s3.eu-west-1.amazonaws.com" in aws["media-src"]
    assert "https://videos.s3.amazonaws.com" in aws["img-src"]
