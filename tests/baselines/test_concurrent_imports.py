"""Concurrent duplicate creates on PostgreSQL: the same model's predictions and the same
release version sent at once behave as if sent one after the other."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from baselines.models import ModelRun
from baselines.predictions import import_predictions
from releases.freeze import ReleaseInvalid, release_freeze
from releases.models import Release
from releases.rows import FreezeRequest
from tests.concurrency import at_once
from videos.models import Benchmark

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def frozen(frozen_releases_cleared: None, release: Release) -> Release:
    """The baselines' release, in a transactional test whose frozen rows are cleared after."""
    return release


def test_six_imports_of_one_model_at_once_leave_one_run(frozen: Release) -> None:
    uids = list(frozen.items.values_list("uid", flat=True))
    body = "".join(json.dumps({"uid": uid, "prediction": "A"}) + "\n" for uid in uids).encode()

    def send(index: int) -> Any:
        return import_predictions(
            release=frozen,
            split="test",
            model="Same model",
            handle=io.BytesIO(body),
            file_name=f"p{index}.jsonl",
        )

    results = at_once(6, send)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for r in results if r.replaced) == 5
    run = ModelRun.objects.get()
    assert run.predictions.count() == len(uids)


def test_four_freezes_of_one_version_at_once_freeze_it_once(frozen: Release) -> None:
    benchmark = Benchmark.objects.default()

    def send(index: int) -> Any:
        return release_freeze(
            benchmark=benchmark,
            request=FreezeRequest(name="svb", version="2.0.0", split="test"),
            user=None,
        )

    results = at_once(4, send)
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 3, results
    assert all(isinstance(r, ReleaseInvalid) for r in refused), refused
    assert all("svb 2.0.0 is already frozen" in str(r) for r in refused)
    assert Release.objects.filter(version="2.0.0").count() == 1
