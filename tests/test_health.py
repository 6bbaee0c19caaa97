"""`/health/` checks the real database, broker and storage, and says only ok or fail."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sciannot.health import CheckTimeout, health_report

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_it_is_ok_when_the_database_broker_and_storage_answer(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert check["ms"] >= 0
    assert response["Cache-Control"] == "no-store"


@pytest.mark.postgres
@pytest.mark.redis
def test_it_checks_postgresql_and_pings_redis(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    body = client.get("/health/").json()
    assert body["status"] == "ok"
    assert [check["status"] for check in body["checks"].values()] == ["ok", "ok", "ok"]


def test_a_broker_that_does_not_answer_fails_it_without_saying_where(
    client: Client, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    settings.CELERY_BROKER_URL = f"redis://:broker-secret-pw@127.0.0.1:{port}/0"
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["checks"]["broker"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["storage"]["status"] == "ok"
    text = response.content.decode()
    assert "broker-secret-pw" not in text
    assert str(port) not in text
    assert "127.0.0.1" not in text
    # The reason is in the log, for the operator.
    assert any("health check broker failed" in record.getMessage() for record in caplog.records)


def test_storage_that_cannot_be_written_fails_it(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "media"
    not_a_folder.write_text("a file where the media folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": not_a_folder},
        },
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "fail"
    assert response.json()["checks"]["database"]["status"] == "ok"


def test_a_check_that_hangs_is_cut_short() -> None:
    started = time.monotonic()
    report = health_report({"slow": lambda: time.sleep(30), "fine": lambda: None}, timeout=0.3)
    assert report["status"] == "fail"
    assert report["checks"]["slow"] == {
        "status": "fail",
        "ms": report["checks"]["slow"]["ms"],
        "error": CheckTimeout.__name__,
    }
    assert report["checks"]["fine"]["status"] == "ok"
    # Far less than the 30 s the check would take (a loose bound: the machine may be busy).
    assert time.monotonic() - started < 20


def test_it_answers_probes_whatever_the_host_and_scheme(client: Client, settings: Any) -> None:
    # A container probe speaks plain HTTP to 127.0.0.1, whatever ALLOWED_HOSTS and the HTTPS
    # redirect say; any other page is still refused for an unknown host.
    settings.ALLOWED_HOSTS = ["annotate.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_it_needs_no_sign_in_and_only_reads(client: Client) -> None:
    assert client.get("/health/").status_code == 200
    assert client.head("/health/").status_code == 200
    response = client.post("/health/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_it_carries_the_same_security_headers_as_every_other_response(client: Client) -> None:
    # Headers that depend on the content or the session, not on security.
    content = {"content-type", "content-length", "cache-control", "vary", "expires", "set-cookie"}
    page = client.get("/accounts/login/")
    health = client.get("/health/")
    assert health.status_code == 200
    wanted = {name.lower() for name in page.headers} - content
    assert {"content-security-policy", "x-frame-options", "permissions-policy"} <= wanted
    assert wanted <= {name.lower() for name in health.headers}
    for name in wanted:
        assert health.headers[name] == page.headers[name], name
