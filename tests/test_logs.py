"""JSON-lines logs: the formatter, one line per request, task context, the setting."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery import shared_task
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from sciannot.logs import REQUEST_LOGGER, JsonFormatter, logging_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged while the test runs, formatted as the production handler does."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_becomes_one_json_line_with_its_extra_fields(json_log: io.StringIO) -> None:
    logger = logging.getLogger("sciannot.test")
    logger.warning("imported %d items", 3, extra={"benchmark": "default", "path": Path("/x")})
    try:
        raise ValueError("line 2: nine options")
    except ValueError:
        logger.exception("import failed")
    first, second = lines(json_log)
    assert first["level"] == "WARNING"
    assert first["logger"] == "sciannot.test"
    assert first["message"] == "imported 3 items"
    assert first["benchmark"] == "default"
    assert first["path"] == "/x"
    assert first["time"].endswith("+00:00")
    assert "task_id" not in first
    assert second["level"] == "ERROR"
    assert "ValueError: line 2: nine options" in second["exception"]
    # The traceback's lines are inside the one JSON line.
    assert len(json_log.getvalue().splitlines()) == 2


@pytest.mark.django_db
def test_every_request_is_logged_once_with_its_user_and_duration(
    client: Client, reviewer: Any, json_log: io.StringIO
) -> None:
    client.get("/accounts/login/")
    client.force_login(reviewer)
    client.get("/questions/?page=2&q=secret-search")
    requests = [line for line in lines(json_log) if line["logger"] == REQUEST_LOGGER]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/accounts/login/", 200),
        ("GET", "/questions/", 200),
    ]
    assert requests[0]["user_id"] is None
    assert requests[1]["user_id"] == reviewer.pk
    assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in requests)
    # Query strings can carry search terms and signatures: they stay out of the log.
    assert "secret-search" not in json_log.getvalue()


@pytest.mark.django_db
def test_a_passing_health_probe_is_not_logged_at_info(
    client: Client, json_log: io.StringIO
) -> None:
    assert client.get("/health/").status_code == 200
    assert not [line for line in lines(json_log) if line["logger"] == REQUEST_LOGGER]


@shared_task(name="tests.log_from_a_task")
def log_from_a_task(word: str) -> str:
    logging.getLogger("sciannot.tasktest").info("task says %s", word)
    return word


def test_a_task_s_lines_carry_its_name_and_id(json_log: io.StringIO) -> None:
    result = log_from_a_task.apply(args=("hello",))
    [line] = [line for line in lines(json_log) if line["logger"] == "sciannot.tasktest"]
    assert line["message"] == "task says hello"
    assert line["task_name"] == "tests.log_from_a_task"
    assert line["task_id"] == result.id


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be plain or json"):
        logging_config("xml", "INFO")


def test_log_format_json_makes_every_line_json_on_stdout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "sciannot.settings",
            "SCIANNOT_VAR_DIR": str(tmp_path),
            "LOG_FORMAT": "json",
        }
    )
    code = (
        "import logging, warnings, django; django.setup(); "
        "logging.getLogger('sciannot.x').info('hello %s', 'there', extra={'user_id': 7}); "
        "warnings.warn('a warning from a library')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    hello, warning = (json.loads(line) for line in result.stdout.splitlines())
    assert hello["message"] == "hello there"
    assert hello["user_id"] == 7
    # Python's warnings go through logging too, so no bare text reaches the output.
    assert warning["logger"] == "py.warnings"
    assert "a warning from a library" in warning["message"]
    assert result.stderr == ""
