"""Starting a model evaluation run: the prompt is the exported task's, and bad requests are
refused with their reason, from the page and the command, creating nothing."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from baselines.models import Evaluation
from releases.harness import lmms_eval_utils
from releases.harness_tasks import lmms_eval_yaml, task_name, task_prompt
from releases.models import Release
from tests.baselines.evaluation_fixtures import split_docs, use_provider
from tests.drafting.fake_openai import FakeOpenAI, fake_openai_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake() -> Any:
    with fake_openai_server() as server:
        yield server


@pytest.mark.parametrize("cot", [False, True])
def test_the_prompt_is_the_exported_tasks_byte_for_byte(release: Release, cot: bool) -> None:
    yaml = lmms_eval_yaml(release, task_name(release), cot=cot).decode()
    post_prompt = json.loads(re.search(r"^    post_prompt: (.+)$", yaml, re.M).group(1))  # type: ignore[union-attr]
    for doc in split_docs(release):
        exported = lmms_eval_utils.doc_to_text(doc, {"pre_prompt": "", "post_prompt": post_prompt})
        assert task_prompt(doc, cot=cot) == exported
    # The times are asked as frames, as the official task asks them.
    assert "frame " in task_prompt(split_docs(release)[0], cot=cot)


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"input": "audio"}, "Select a valid choice"),
        ({"prompt": "fancy"}, "Select a valid choice"),
        ({"temperature": "5"}, "less than or equal to 2"),
        ({"max_calls": "0"}, "greater than or equal to 1"),
        ({"model": "unpriced", "max_cost": "1"}, "no price is known for the model"),
    ],
)
def test_a_bad_request_on_the_page_is_refused_and_creates_nothing(
    settings: Any,
    fake: FakeOpenAI,
    release: Release,
    curator: Any,
    form: dict[str, str],
    error: str,
) -> None:
    use_provider(settings, fake)
    client = Client()
    client.force_login(curator)
    url = reverse("leaderboard:evaluate", args=[release.pk, "test"])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="evaluation-form"' in page.content
    data = {"model": "fake-model", "input": "text", "prompt": "default", **form}
    response = client.post(url, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Evaluation.objects.exists() and fake.requests == []


def test_the_video_input_needs_every_videos_file(
    settings: Any, fake: FakeOpenAI, release: Release
) -> None:
    use_provider(settings, fake)
    with pytest.raises(CommandError, match="1001, 1002 have none; upload them or choose the text"):
        call_command("evaluate_model", "fake-model", "--release", "svb", "--version", "1.0.0")
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--max-cost", "lots"], "--max-cost must be a number of US dollars, not 'lots'"),
        (["--split", "val"], "svb 1.0.0 has no split 'val' (it has test)"),
        (["--temperature", "-1"], "the temperature must be between 0 and 2"),
        (["--max-calls", "0"], "the call budget must be between 1 and"),
    ],
)
def test_a_bad_command_is_refused_and_creates_nothing(
    settings: Any, fake: FakeOpenAI, release: Release, args: list[str], error: str
) -> None:
    use_provider(settings, fake)
    with pytest.raises(CommandError, match=re.escape(error)):
        call_command(
            "evaluate_model",
            "fake-model",
            "--release",
            "svb",
            "--version",
            "1.0.0",
            "--input",
            "text",
            *args,
            stdout=io.StringIO(),
        )
    assert not Evaluation.objects.exists()


def test_without_a_provider_the_command_says_what_to_set(settings: Any, release: Release) -> None:
    settings.LLM_BASE_URL = ""
    settings.LLM_PROVIDER = "openai"
    with pytest.raises(CommandError, match="no LLM provider is configured: set LLM_BASE_URL"):
        call_command("evaluate_model", "m", "--release", "svb", "--version", "1.0.0")
