"""Structured logs: a JSON-lines formatter and one log line per HTTP request.

With `LOG_FORMAT=json` every process (gunicorn, Django, Celery workers and beat) writes one
JSON object per line to stdout, so a log collector can index the fields without parsing text.
"""

from __future__ import annotations

import json
import logging
import logging.config
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the settings import this module: it must not load Django's HTTP layer
    from django.http import HttpRequest, HttpResponseBase

REQUEST_LOGGER = "sciannot.request"

# Attributes every LogRecord has; anything else on a record came from `extra=` and is a field.
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "taskName"}


def _current_task() -> Any:
    # Celery's own task formatter reads the running task this way; imported lazily so the web
    # process does not pay for it on every line.
    from celery._state import get_current_task

    return get_current_task()


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        task = _current_task()
        if task is not None and getattr(task, "request", None) is not None:
            entry["task_id"] = task.request.id
            entry["task_name"] = task.name
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # default=str: an extra field that is not JSON (a path, a UUID) is still logged.
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """Log every request once it is answered: method, path, status, duration, user id.

    Placed first, so the duration covers every other middleware. For a streamed response it
    is the time to the first byte. The query string is left out: it can carry search terms
    and signed parameters that do not belong in logs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": user_id,
        }
        # Health probes arrive every few seconds; a passing one is only worth a debug line.
        quiet = request.path == "/health/" and response.status_code == 200
        self.logger.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s %.1fms user=%s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            user_id if user_id is not None else "-",
            extra=fields,
        )
        return response


def configure(config: dict[str, Any]) -> None:
    """Django's `LOGGING_CONFIG`: apply `LOGGING`, and send Python's warnings through it too,
    so that with JSON logs nothing reaches the output as bare text."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The `LOGGING` setting for `plain` (development) or `json` (production) output."""
    if log_format not in {"plain", "json"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {log_format!r}")
    # Development keeps Python's default (stderr); production writes JSON lines to stdout, where
    # container runtimes collect them.
    console: dict[str, Any] = {"class": "logging.StreamHandler", "formatter": log_format}
    if log_format == "json":
        console["stream"] = "ext://sys.stdout"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "json": {"()": "sciannot.logs.JsonFormatter"},
        },
        "handlers": {"console": console},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
