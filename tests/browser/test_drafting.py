"""A curator drafts questions from the browser and watches the job finish without reloading;
a second job is cancelled from its page."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from drafting.models import DraftJob, JobStatus
from tests.browser.conftest import sign_in
from tests.conftest import TEST_VAR, start_worker, stop_worker
from tests.drafting.conftest import draft_video, fake, llm, llm_settings  # noqa: F401
from tests.drafting.fake_openai import FakeOpenAI, Reply
from tests.drafting.llm_script import ScriptedLLM
from tests.drafting.test_worker import provider_env

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(fake: FakeOpenAI) -> Iterator[subprocess.Popen[bytes]]:  # noqa: F811
    (TEST_VAR / "worker.log").write_bytes(b"")
    process = start_worker(provider_env(fake))
    yield process
    stop_worker(process)


def test_a_curator_drafts_from_the_video_list_and_watches_the_job(
    page: Any,
    curator: Any,
    llm_settings: Any,  # noqa: F811
    llm: ScriptedLLM,  # noqa: F811
    fake: FakeOpenAI,  # noqa: F811
    draft_video: Any,  # noqa: F811
    worker: Any,
) -> None:
    # The generator takes a moment, so the page is seen running before it is done.
    slow = llm.generator

    def generator(body: dict[str, Any]) -> Reply:
        reply = slow(body)
        reply.hang = 2.5
        return reply

    fake.responders["GeneratorOutput"] = generator
    sign_in(page, "cora", "pw-cora")
    page.goto("/videos/")
    page.check("[data-testid=select-video-1001]")
    page.click("[data-testid=draft-selected]")
    page.wait_for_url(re.compile(r"/drafting/new/"))
    assert "1001 · Heating a flask" in page.inner_text("main")
    page.fill("#id_conceptual", "1")
    page.fill("#id_hypothetical", "1")
    page.fill("#id_quantitative", "0")
    # The estimate follows what was typed.
    estimate = page.locator("[data-testid=estimate]")
    page.wait_for_function(
        "document.querySelector('[data-testid=estimate] strong').textContent === '8'"
    )
    assert "about 8 LLM calls" in estimate.inner_text()
    page.click("[data-testid=start-drafting]")
    page.wait_for_url(re.compile(r"/drafting/jobs/\d+/$"))
    url = page.url
    status = page.locator("[data-testid=job-status]")
    assert status.inner_text() in ("Queued", "Running")
    # No reload: htmx polling brings the job to its end.
    page.wait_for_function(
        "document.querySelector('[data-testid=job-status]').textContent === 'Done'",
        timeout=60_000,
    )
    assert page.url == url
    assert page.locator("[data-testid=job-drafts]").inner_text() == "2 drafts"
    assert page.locator("[data-testid=calls] tbody tr").count() == 5
    page.click("[data-testid=drafts] a >> nth=0")
    page.locator("video[data-testid=player]").wait_for()
    assert "fake-model (openai)" in page.inner_text("[data-testid=draft-origin]")
    page.goto("/videos/")
    assert "Done" in page.inner_text("[data-testid=drafting-status-1001]")
    assert page.dialogs == []


def test_a_curator_cancels_a_running_job(
    page: Any,
    curator: Any,
    llm_settings: Any,  # noqa: F811
    llm: ScriptedLLM,  # noqa: F811
    fake: FakeOpenAI,  # noqa: F811
    draft_video: Any,  # noqa: F811
    worker: Any,
) -> None:
    fake.script_for("GeneratorOutput", Reply(hang=8))
    sign_in(page, "cora", "pw-cora")
    page.goto(f"/drafting/new/?video={draft_video.pk}")
    page.click("[data-testid=start-drafting]")
    page.wait_for_url(re.compile(r"/drafting/jobs/\d+/$"))
    page.wait_for_function(
        "document.querySelector('[data-testid=job-status]').textContent === 'Running'",
        timeout=30_000,
    )
    page.click("[data-testid=cancel-job]")
    page.wait_for_function(
        "document.querySelector('[data-testid=job-status]').textContent === 'Cancelled'"
    )
    assert "Cancelled: no stage starts after this." in page.inner_text("[data-testid=flash]")
    assert page.locator("[data-testid=cancel-job]").count() == 0
    job = DraftJob.objects.get()
    assert job.status == JobStatus.CANCELLED
    assert page.dialogs == []


def test_a_recorded_job_shows_finished_with_its_calls_stages_flags_and_cost(
    page: Any,
    curator: Any,
    draft_video: Any,  # noqa: F811
    settings: Any,
) -> None:
    from drafting.pipeline import job_run_here
    from drafting.services import job_start_recorded
    from tests.drafting.test_recording import call, item, recording, verdict, whole_job

    # The verifier disagrees, the refiner fixes it, and the re-check finds the fixed
    # question answerable without the video: a flag on the draft. No provider is configured.
    settings.LLM_BASE_URL = ""
    refined = item("Which temperature is the flask heated to between 00:10 and 00:15?")
    calls = whole_job(
        **{
            "verify:0": call("verify:0", verdict("C")),
            "refine:0": call("refine:0", {"json": refined}),
            "reverify:0": call("reverify:0", verdict()),
            "reshortcut:0": call("reshortcut:0", {"json": {"answer": "G"}}),
        }
    )
    job = job_start_recorded(
        video=draft_video, recording=recording(calls), user=curator, send=False
    )
    job = job_run_here(job.pk)
    assert job.status == JobStatus.DONE

    sign_in(page, "cora", "pw-cora")
    page.goto(f"/drafting/jobs/{job.pk}/")
    assert page.inner_text("[data-testid=job-status]") == "Done"
    assert "recorded · rec-model" in page.inner_text("main")
    assert page.inner_text("[data-testid=stage-count]") == "8/8 stages"
    assert page.locator("[data-testid=stages] tr[data-status=done]").count() == 8
    assert page.locator("[data-testid=calls] tbody tr").count() == 6
    first = page.inner_text("[data-testid=calls] tbody tr >> nth=0")
    assert "generate" in first and "rec-model-2025" in first and "900 ms" in first
    assert page.inner_text("[data-testid=job-cost]").startswith("cost $0.0")
    candidates = page.inner_text("[data-testid=candidates]")
    assert "answerable without the video" in candidates
    assert page.inner_text("[data-testid=job-drafts]") == "1 draft"
    assert "⚑ 1" in page.inner_text("[data-testid=drafts]")
