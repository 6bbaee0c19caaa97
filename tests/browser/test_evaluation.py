"""A curator starts a model evaluation run from the leaderboard, watches it progress on its
page without reloading, and finds it on the leaderboard with a link to its settings and calls;
another run is cancelled with the page's button."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from baselines.models import Evaluation
from releases.models import Release
from tests.baselines.conftest import release  # noqa: F401
from tests.baselines.evaluation_fixtures import (
    ScriptedModel,
    provider_env,
    split_docs,
    use_provider,
)
from tests.browser.conftest import sign_in
from tests.conftest import TEST_VAR, start_worker, stop_worker
from tests.drafting.fake_openai import FakeOpenAI, fake_openai_server

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with fake_openai_server() as server:
        yield server


@pytest.fixture
def worker(fake: FakeOpenAI) -> Iterator[subprocess.Popen[bytes]]:
    (TEST_VAR / "worker.log").write_bytes(b"")
    process = start_worker(provider_env(fake))
    yield process
    stop_worker(process)


def test_a_curator_runs_a_model_and_finds_it_on_the_leaderboard(
    page: Any,
    settings: Any,
    fake: FakeOpenAI,
    worker: Any,
    release: Release,  # noqa: F811
    curator: Any,
    frozen_releases_cleared: None,
) -> None:
    use_provider(settings, fake)
    ScriptedModel(fake, split_docs(release), lambda n, doc: doc["answer"] if n < 9 else "B")
    # Slow enough to see it at work and to cancel the second run before it ends.
    fake.latency = 0.3
    sign_in(page, "cora", "pw-cora")
    page.goto(f"/leaderboard/{release.pk}/test/")
    page.click("[data-testid=evaluate-model]")
    page.fill("#id_model", "fake-model")
    page.select_option("#id_input", "text")
    page.click("[data-testid=start-evaluation]")
    page.wait_for_selector("[data-testid=eval-progress][data-status=running]", timeout=60_000)
    # The page follows the run by itself, to its end.
    page.wait_for_selector("[data-testid=eval-progress][data-status=done]", timeout=90_000)
    assert page.text_content("[data-testid=eval-count]") == "12/12 items"
    assert page.locator("[data-testid=eval-calls] tbody tr").count() == 12
    page.click("[data-testid=eval-published] a")
    row = page.locator("[data-testid=row-model][data-name='fake-model (text only)']")
    assert "run in the app" in row.text_content()
    # 9 of 12 right, whichever the official rule guesses; the careful row says 75.00.
    assert "75.00" in row.text_content()
    row.locator("[data-testid=run-settings]").click()
    assert "Text only" in page.text_content("[data-testid=eval-settings]")

    # A second run, cancelled from its page while it works.
    page.goto(f"/leaderboard/{release.pk}/test/evaluate")
    page.fill("#id_model", "fake-model")
    page.select_option("#id_input", "transcript")
    page.click("[data-testid=start-evaluation]")
    page.wait_for_selector("[data-testid=eval-progress][data-status=running]", timeout=60_000)
    page.click("[data-testid=cancel-evaluation]")
    page.wait_for_selector("[data-testid=eval-progress][data-status=cancelled]", timeout=30_000)
    assert "Cancelled" in page.text_content("[data-testid=flash]")
    cancelled = Evaluation.objects.get(input="transcript")
    assert cancelled.status == "cancelled" and cancelled.model_run is None
