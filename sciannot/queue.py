"""Sending tasks to the broker so that a broker that is down never breaks a request.

Work is recorded in the database first; a message only says "look at this row". So a send
that fails leaves the row waiting, a periodic sweep (Celery beat) sends it again once the
broker is back, and the person who asked sees that it waits instead of an error page. Before
creating work that costs money, services ask `broker_problem()` — the same check `/health/`
reports — and refuse with a clear message while the broker cannot be reached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from sciannot.health import check_broker, run_with_timeout

logger = logging.getLogger(__name__)

# A pre-check must answer quickly: a person is waiting for the page.
BROKER_CHECK_SECONDS = 2.0

QUEUE_UNAVAILABLE = "the task queue (broker) cannot be reached"


class QueueUnavailable(Exception):
    """The broker cannot be reached, so work that needs it was not created."""


def broker_problem(timeout: float = BROKER_CHECK_SECONDS) -> str | None:
    """Why the broker cannot take messages now (a sentence for people), or None when it can."""
    failure = run_with_timeout(check_broker, timeout)
    if failure is None:
        return None
    # The detail (host names, ports) goes to the log only, as /health/ does.
    logger.warning("broker check failed: %s: %s", type(failure).__name__, failure)
    return QUEUE_UNAVAILABLE


def require_broker() -> None:
    """Raise QueueUnavailable unless the broker answers."""
    problem = broker_problem()
    if problem:
        raise QueueUnavailable(f"{problem}; try again when it is back")


def send_safely(send: Callable[[], object], *, what: str, on_failure: Callable[[], object]) -> bool:
    """Call `send`; if the broker refuses, log it, call `on_failure` (which marks the row as
    waiting for the queue) and return False instead of raising."""
    try:
        send()
    except Exception:
        # kombu raises OperationalError, redis-py ConnectionError, the OS a socket error: any
        # of them means the message is not in the queue, and the sweep will send it again.
        logger.exception("could not queue %s; it waits for the next sweep", what)
        try:
            on_failure()
        except Exception:
            logger.exception("could not mark %s as waiting for the queue", what)
        return False
    return True


def send_on_commit(
    send: Callable[[], object], *, what: str, on_failure: Callable[[], object]
) -> None:
    """`send_safely` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send_safely(send, what=what, on_failure=on_failure))
