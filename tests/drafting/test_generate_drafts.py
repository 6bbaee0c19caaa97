"""`manage.py generate_drafts`: queueing from the command line, its errors, and --wait."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from drafting.models import DraftJob
from tests.conftest import TEST_VAR, start_worker, stop_worker
from tests.drafting.fake_openai import FakeOpenAI, Reply
from tests.drafting.llm_script import ScriptedLLM
from tests.drafting.test_worker import provider_env


def generate(*args: str) -> str:
    out = io.StringIO()
    call_command("generate_drafts", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_no_provider_names_the_variables_and_queues_nothing(
    settings: Any, draft_video: Any
) -> None:
    settings.LLM_PROVIDER = "openai"
    settings.LLM_BASE_URL = ""
    settings.LLM_MODEL = ""
    with pytest.raises(CommandError) as error:
        generate("--video", "1001")
    assert str(error.value) == (
        "no LLM provider is configured: set LLM_BASE_URL and LLM_MODEL (and LLM_API_KEY if "
        "the server needs one); nothing was queued"
    )
    assert not DraftJob.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--video", "9999"], "no video '9999' in benchmark"),
        (["--video", "1001", "--mix", "C:2,X:1"], "write it as C:2,H:2,Q:1"),
        (["--video", "1001", "--count", "3", "--mix", "C:1"], "adds up to 1 questions, not 3"),
        (["--video", "1001", "--max-cost", "cheap"], "--max-cost 'cheap' is not a number"),
        (["--video", "1001", "--count", "50"], "must be 1 to 20"),
        (["--video", "1001", "--max-calls", str(2**63)], "call budget must be between 1 and"),
        (["--video", "1001", "--max-cost", "NaN"], "cost budget must be more than 0"),
        (["--video", "1001", "--max-cost", "sNaN"], "cost budget must be more than 0"),
        (["--video", "1001", "--max-cost", "9" * 5000], "cost budget must be below"),
        (["--video", "1001", "--temperature", "nan"], "temperature must be"),
        (["--video", "1001", "--model", "gpt\x00"], "NUL character"),
        (["--video", "1001", "--model", "m" * 300], "the model's name is 300 characters"),
    ],
)
def test_bad_arguments_fail_with_one_line(
    llm_settings: Any, draft_video: Any, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        generate(*args)
    assert not DraftJob.objects.exists()


@pytest.mark.django_db
def test_it_queues_a_job_per_video_and_prints_where_to_follow_it(
    llm_settings: Any, draft_video: Any
) -> None:
    output = generate("--video", "jove_1001", "--count", "3", "--mix", "Q:3", "--max-calls", "9")
    job = DraftJob.objects.get()
    assert (job.count, job.type_mix, job.max_calls) == (3, {"Quantitative Reasoning": 3}, 9)
    assert output.startswith(
        f"Queued drafting job {job.pk} for video 1001: 3 questions with fake-model, "
        "estimated cost $0."
    )
    assert output.rstrip().endswith(f"/drafting/jobs/{job.pk}/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_wait_shows_progress_and_ends_with_the_job(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    (TEST_VAR / "worker.log").write_bytes(b"")
    worker: subprocess.Popen[bytes] = start_worker(provider_env(fake))
    try:
        output = generate("--video", "1001", "--count", "2", "--wait")
    finally:
        stop_worker(worker)
    lines = output.splitlines()
    job = DraftJob.objects.get()
    assert any(line.startswith(f"job {job.pk} [") and "/8" in line for line in lines)
    assert f"job {job.pk} [####################] 8/8 Done" in output
    assert lines[-1].startswith(f"Job {job.pk} (1001): Done, 2 draft(s), 5 call(s), ")


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_wait_fails_when_the_job_fails(
    llm_settings: Any, llm: ScriptedLLM, fake: FakeOpenAI, draft_video: Any
) -> None:
    fake.script_for("GeneratorOutput", *[Reply(status=400)])
    (TEST_VAR / "worker.log").write_bytes(b"")
    worker = start_worker(provider_env(fake))
    try:
        ended = r"1 of 1 job\(s\) ended without drafts: job \d+: Failed"
        with pytest.raises(CommandError, match=ended):
            generate("--video", "1001", "--count", "1", "--wait")
    finally:
        stop_worker(worker)
