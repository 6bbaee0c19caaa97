"""Celery tasks for model evaluation runs: a batch of a run's items, and the watchdog.

The work rows, not the messages, are the unit of work: a message delivered twice finds its
items claimed or answered, and a message lost with a dead worker is replaced by the watchdog
once the items' leases run out.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready


@shared_task(name="baselines.evaluation_batch", acks_late=True, ignore_result=True)
def evaluation_batch_task(evaluation_pk: int) -> str:
    """Ask a batch of an evaluation's items (idempotent)."""
    from baselines.evaluation import run_batch

    return run_batch(evaluation_pk)


def send_batch(evaluation_pk: int) -> None:
    evaluation_batch_task.delay(evaluation_pk)


@shared_task(name="baselines.evaluation_watchdog", ignore_result=True)
def evaluation_watchdog_task() -> int:
    """Send tasks for runs whose workers died (run by Celery beat and when a worker starts)."""
    from baselines.evaluation import evaluation_watchdog

    return evaluation_watchdog()


@worker_ready.connect
def requeue_evaluations_on_start(**kwargs: Any) -> None:
    evaluation_watchdog_task.delay()
