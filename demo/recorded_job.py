"""The demo's drafting job: the real drafting pipeline run on a demo video, its LLM calls
answered from `demo/data/drafting/recording.json` (see `drafting.recording`), so it needs no
provider and no key.

    demo/data/drafting/recording.json   one reply per call key of the job ("generate",
                                        "verify:1", "refine:2"…) with its tokens, latency and
                                        model: the generator's first reply fails validation and
                                        is repaired, the verifier catches a wrong key and an
                                        ambiguous option, the refiner fixes both, and one
                                        question is left flagged as answerable without the video

Seeded once, when its video has its file (the context stage samples frames from it): inline
at the end of `seed_demo`, or queued to the workers like any job by the worker that stores
the file. A demo video that already has a recorded job gets no second one.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.db import transaction

from drafting.models import DraftJob
from drafting.pipeline import job_run_here
from drafting.recording import RECORDED, RecordingInvalid, recording_load
from drafting.selectors import money
from drafting.services import DraftingInvalid, job_start_recorded
from sciannot.accounts.models import User
from sciannot.queue import QueueUnavailable
from videos.models import Benchmark, Video

DATA_DIR = Path(__file__).resolve().parent / "data"
RECORDING = Path("drafting") / "recording.json"
# Who the demo's job says started it.
STARTED_BY = "curator"


class RecordedJobError(ValueError):
    """The demo's recording cannot be replayed on its video; the message says why."""


def demo_recorded_job(
    *,
    benchmark: Benchmark,
    inline: bool,
    data_dir: Path = DATA_DIR,
    log: Callable[[str], None] = lambda message: None,
) -> DraftJob | None:
    """Start the demo's recorded drafting job once its video has a file; None when it exists
    already or the file is still to come. `inline` runs it here to the end (no worker
    needed); otherwise its first stage goes to the workers."""
    try:
        recording, data = recording_load(data_dir / RECORDING)
    except RecordingInvalid as exc:
        raise RecordedJobError(str(exc)) from exc
    video = Video.objects.filter(benchmark=benchmark, video_id=recording.video_id).first()
    if video is None:
        raise RecordedJobError(
            f"{RECORDING.name}: no demo video {recording.video_id!r} (see videos.json)"
        )
    if not video.original or DraftJob.objects.filter(video=video, provider=RECORDED).exists():
        return None
    with transaction.atomic():
        # One worker (or seed_demo run) at a time gets past this; the others find the job.
        Video.objects.select_for_update().filter(pk=video.pk).values_list("pk").get()
        if DraftJob.objects.filter(video=video, provider=RECORDED).exists():
            return None
        try:
            job = job_start_recorded(
                video=video,
                recording=data,
                user=User.objects.filter(username=STARTED_BY).first(),
                send=not inline,
            )
        except DraftingInvalid as exc:
            raise RecordedJobError(f"{RECORDING.name}: {exc}") from exc
        except QueueUnavailable as exc:
            # Nothing was created; a worker that starts queues it (`demo.tasks`).
            log(f"The recorded drafting job waits for the task queue: {exc}.")
            return None
    if not inline:
        log(f"Queued the recorded drafting job {job.pk} for {video.video_id}.")
        return job
    log(f"Drafting questions for {video.video_id} from the recorded calls…")
    job = job_run_here(job.pk)
    log(
        f"Drafting job {job.pk}: {job.get_status_display().lower()}, {job.drafts_created} "
        f"drafts from {job.calls_made} recorded calls, cost {money(job.cost)}."
    )
    return job
