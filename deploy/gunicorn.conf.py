"""gunicorn settings for the web service; each can be changed through the environment.

Requests are logged by the app itself (`sciannot.logs.RequestLogMiddleware`, with the user),
so gunicorn's access log stays off; its own messages use the app's format (`LOG_FORMAT`).
"""

from __future__ import annotations

# gunicorn puts its working directory (the checkout) on sys.path before it reads this file.
# The app's readers: an empty variable (as compose passes an unset one) means the default, a
# bad value stops the start naming the variable.
from sciannot.env import env_int, env_str

bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")
# Threads let one worker answer page requests while another thread waits on a slow one; a
# worker process per core is the usual start.
worker_class = "gthread"
workers = env_int("WEB_CONCURRENCY", 3, minimum=1)
threads = env_int("GUNICORN_THREADS", 4, minimum=1)
# Long enough for a large upload's last chunk to be assembled and probed.
timeout = env_int("GUNICORN_TIMEOUT", 300, minimum=1)
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests, so a slow leak never grows for long.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# nginx in front sets X-Forwarded-Proto; Django decides whether to trust it
# (DJANGO_BEHIND_PROXY), so gunicorn's forwarded_allow_ips stays at its default.
# gunicorn's control socket (a file in $HOME shared by every gunicorn of the user) is not
# used: the container runtime starts and stops the server.
control_socket_disable = True
accesslog = None
errorlog = "-"
loglevel = env_str("LOG_LEVEL", "INFO").lower()

if env_str("LOG_FORMAT", "plain") == "json":
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
