"""gunicorn settings for the web service; each can be changed through the environment.

Requests are logged by the app itself (`sciannot.logs.RequestLogMiddleware`, with the user),
so gunicorn's access log stays off; its own messages use the app's format (`LOG_FORMAT`).
"""

from __future__ import annotations

import os


def _env(name: str, default: str) -> str:
    # An empty variable (as compose passes an unset one) means the default.
    return os.environ.get(name) or default


bind = _env("GUNICORN_BIND", "0.0.0.0:8000")
# Threads let one worker answer page requests while another thread waits on a slow one; a
# worker process per core is the usual start.
worker_class = "gthread"
workers = int(_env("WEB_CONCURRENCY", "3"))
threads = int(_env("GUNICORN_THREADS", "4"))
# Long enough for a large upload's last chunk to be assembled and probed.
timeout = int(_env("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so a slow leak never grows for long.
max_requests = int(_env("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# nginx in front sets X-Forwarded-Proto; Django decides whether to trust it
# (DJANGO_BEHIND_PROXY), so gunicorn's forwarded_allow_ips stays at its default.
# gunicorn's control socket (a file in $HOME shared by every gunicorn of the user) is not
# used: the container runtime starts and stops the server.
control_socket_disable = True
accesslog = None
errorlog = "-"
loglevel = _env("LOG_LEVEL", "INFO").lower()

if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "sciannot.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "loggers": {
            "gunicorn.error": {
                "handlers": ["console"],
                "level": loglevel.upper(),
                "propagate": False,
            }
        },
    }
