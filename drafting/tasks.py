"""Celery tasks for drafting: one task per stage, and the watchdog.

The tasks are thin: the stage's database row, not the broker message, is the unit of work. A
message delivered twice finds the stage claimed or finished and does nothing; a message lost
with a dead worker is replaced by the watchdog once the stage's lease runs out.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready

from drafting.models import StageName


def _stage_task(name: str) -> Task:
    def run(stage_pk: int) -> str:
        from drafting.pipeline import run_stage

        return run_stage(stage_pk)

    run.__name__ = f"stage_{name}"
    run.__doc__ = f"Run the {name} stage of a drafting job (idempotent)."
    # No acks_late: redelivery is the watchdog's job, not the broker's.
    return shared_task(name=f"drafting.{name}", acks_late=False, ignore_result=True)(run)


STAGE_TASKS: dict[str, Task] = {name: _stage_task(name) for name in StageName.values}


def send_stage(name: str, stage_pk: int) -> None:
    STAGE_TASKS[name].delay(stage_pk)


@shared_task(name="drafting.watchdog", ignore_result=True)
def watchdog_task() -> dict[str, int]:
    """Requeue stages whose worker died (run by Celery beat and when a worker starts)."""
    from drafting.services import watchdog

    report = watchdog()
    return {"requeued": report.requeued, "failed": report.failed}


@worker_ready.connect
def requeue_on_start(**kwargs: Any) -> None:
    watchdog_task.delay()
