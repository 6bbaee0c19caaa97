"""`/health/`: whether this process can reach its database, broker and media storage.

Answered by a middleware placed before everything else, so a container's health probe
(which speaks to 127.0.0.1 over plain HTTP) is not refused by `ALLOWED_HOSTS` or redirected
to HTTPS, and needs no session. The body names each check and whether it passed, never a
host, a URL or a password: the reason for a failure goes to the log.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponseBase, JsonResponse

HEALTH_PATH = "/health/"
# Each check gets this long; a server that does not answer in time counts as down.
CHECK_TIMEOUT_SECONDS = 3.0
logger = logging.getLogger(__name__)


class CheckTimeout(Exception):
    """A check did not finish within its time."""


def check_database() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if cursor.fetchone() != (1,):
                raise RuntimeError("SELECT 1 did not return 1")
    finally:
        # Runs in a short-lived thread: its connection would otherwise outlive it.
        connection.close()


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS, socket_timeout=CHECK_TIMEOUT_SECONDS
        )
        try:
            if not client.ping():
                raise RuntimeError("Redis did not answer PING")
        finally:
            client.close()
        return
    from kombu import Connection

    # Any other transport (the filesystem broker of development, AMQP): open a connection.
    with Connection(
        url,
        connect_timeout=CHECK_TIMEOUT_SECONDS,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    ) as broker:
        broker.ensure_connection(max_retries=1)


def check_storage() -> None:
    """Write, read back and delete a tiny object where media is stored."""
    payload = uuid.uuid4().hex.encode()
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(payload))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != payload:
                raise RuntimeError("storage returned other bytes than were written")
    finally:
        default_storage.delete(name)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def run_with_timeout(check: Callable[[], None], timeout: float) -> BaseException | None:
    """Run `check` in a thread of its own; its exception, CheckTimeout, or None if it passed."""
    outcome: list[BaseException | None] = []

    def target() -> None:
        try:
            check()
            outcome.append(None)
        except BaseException as exc:  # reported, not raised: one failing check fails the probe
            outcome.append(exc)

    # A daemon thread: one stuck on a dead server must not keep the process from exiting.
    worker = threading.Thread(target=target, daemon=True, name="health-check")
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or not outcome:
        return CheckTimeout(f"no answer within {timeout:g} s")
    return outcome[0]


def health_report(
    checks: dict[str, Callable[[], None]] | None = None, timeout: float = CHECK_TIMEOUT_SECONDS
) -> dict[str, Any]:
    """`{"status": "ok"|"fail", "checks": {name: {"status", "ms", "error"?}}}`."""
    results: dict[str, dict[str, Any]] = {}
    for name, check in (checks or CHECKS).items():
        started = time.perf_counter()
        failure = run_with_timeout(check, timeout)
        result: dict[str, Any] = {
            "status": "ok" if failure is None else "fail",
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if failure is not None:
            # Only the kind of error: messages can carry host names and connection strings.
            result["error"] = type(failure).__name__
            logger.warning("health check %s failed: %s: %s", name, result["error"], failure)
        results[name] = result
    ok = all(result["status"] == "ok" for result in results.values())
    return {"status": "ok" if ok else "fail", "checks": results}


class HealthCheckMiddleware:
    """Answer `GET /health/` with the report: 200 when every check passes, else 503."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            response = JsonResponse({"error": "use GET"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        report = health_report()
        response = JsonResponse(report, status=200 if report["status"] == "ok" else 503)
        response["Cache-Control"] = "no-store"
        return response
