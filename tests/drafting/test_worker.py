"""Drafting jobs on real Celery worker processes: a whole job to drafts, and a worker killed
in the middle of a stage (SIGKILL) replaced by another that finishes the job."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from drafting.models import DraftJob, JobStatus
from drafting.services import JobRequest, jobs_start
from reviews.models import Question
from tests.conftest import TEST_VAR, start_worker, stop_worker, wait_for
from tests.drafting.fake_openai import FakeOpenAI, Reply, prompt_text
from tests.drafting.llm_script import ScriptedLLM

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def provider_env(fake: FakeOpenAI, **extra: str) -> dict[str, str]:
    return {
        "LLM_PROVIDER": "openai",
        "LLM_BASE_URL": fake.url,
        "LLM_API_KEY": "test-key",
        "LLM_MODEL": "fake-model",
        "LLM_BACKOFF": "0.01",
        "LLM_TIMEOUT": "120",
        "LLM_FRAMES": "2",
        **extra,
    }


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    (TEST_VAR / "worker.log").write_bytes(b"")
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop_worker(process)


def job_status(job: DraftJob) -> str:
    job.refresh_from_db()
    return job.status


def test_a_worker_runs_a_whole_job_to_drafts(
    llm_settings: Any,
    llm: ScriptedLLM,
    fake: FakeOpenAI,
    draft_video: Any,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    workers.append(start_worker(provider_env(fake)))
    [job] = jobs_start(videos=[draft_video], request=JobRequest(count=3), user=None)
    wait_for(
        lambda: job_status(job) != JobStatus.QUEUED and not job.is_active,
        timeout=90,
        what="the job to end",
    )
    assert (job.status, job.drafts_created, job.error) == (JobStatus.DONE, 3, "")
    assert Question.objects.filter(video=draft_video, source="llm").count() == 3
    assert job.calls.count() == 7


def test_a_worker_killed_mid_stage_loses_nothing_and_repeats_no_call(
    llm_settings: Any,
    llm: ScriptedLLM,
    fake: FakeOpenAI,
    draft_video: Any,
    workers: list[subprocess.Popen[bytes]],
) -> None:
    env = provider_env(fake, DRAFT_LEASE_SECONDS="3", DRAFT_WATCHDOG_SECONDS="1")
    # The verifier answers the first question, then hangs on the second: the worker is killed
    # while that call is in flight.
    first_answer: dict[str, Reply] = {}

    def verifier(body: dict[str, Any]) -> Reply:
        if not first_answer:
            first_answer["sent"] = llm.verifier(body)
            return first_answer["sent"]
        if len(fake.requests_for("VerifierAnswer")) == 2:
            return Reply(hang=60)
        return llm.verifier(body)

    fake.responders["VerifierAnswer"] = verifier
    first = start_worker(env)
    workers.append(first)
    [job] = jobs_start(videos=[draft_video], request=JobRequest(count=3), user=None)
    wait_for(
        lambda: len(fake.requests_for("VerifierAnswer")) == 2,
        timeout=90,
        what="the second verifier call",
    )
    verify = job.stages.get(name="verify")
    assert verify.status == "running" and verify.attempts == 1
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    # A new worker, with the watchdog on beat, takes the stage over once the lease runs out.
    workers.append(start_worker(env, beat=True))
    wait_for(
        lambda: job_status(job) not in ("queued", "running"),
        timeout=120,
        what="the job to end after the restart",
    )
    assert (job.status, job.drafts_created, job.error) == (JobStatus.DONE, 3, "")
    verify.refresh_from_db()
    assert verify.attempts == 2
    # No duplicate drafts, no duplicate calls on record.
    assert Question.objects.filter(video=draft_video).count() == 3
    keys = list(job.calls.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == 7
    # verify:0 completed before the kill and was replayed, not sent again; verify:1 was in
    # flight when the worker died, so it went out twice; verify:2 once.
    questions = [c["item"]["question"] for c in job.candidates]
    sent = [prompt_text(body) for body in fake.requests_for("VerifierAnswer")]
    per_question = [sum(q in text for text in sent) for q in questions]
    assert per_question == [1, 2, 1]
    assert len(fake.requests_for("GeneratorOutput")) == 1
