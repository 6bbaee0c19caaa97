"""Celery tasks for drafting: one task per stage, and the watchdog.

The tasks are thin: the stage's database row, not the broker message, is the unit of work. A
message delivered twice finds the stage claimed or finished and does nothing; a message lost
with a dead worker is replaced by the watchdog once the stage's lease runs out.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from celery.signals import worker_init, worker_ready

from drafting.models import StageName


def _stage_task(name: str) -> Task:
    def run(stage_pk: int) -> str:
        from drafting.pipeline import run_stage

        return run_stage(stage_pk)

    run.__name__ = f"stage_{name}"
    run.__doc__ = f"Run the {name} stage of a drafting job (idempotent)."
    # Acknowledged when done: with a prefetch of one, a worker busy with a stage holds no
    # other message, so the next stages go to idle workers. Requeuing the stages of a dead
    # worker is still the watchdog's job; a message the broker redelivers later finds its
    # stage done or leased by someone else, and does nothing.
    return shared_task(name=f"drafting.{name}", acks_late=True, ignore_result=True)(run)


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


@worker_init.connect
def load_provider_sdk(**kwargs: Any) -> None:
    """Import the LLM SDKs as a worker starts (pages and commands never need them), so a
    job's first call does not pay for it."""
    from drafting.providers import preload_sdks

    preload_sdks()
