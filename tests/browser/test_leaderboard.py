"""A curator imports a model's predictions on the leaderboard page, sorts the table by a
column, reads the bars, and downloads the table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from baselines.models import ModelRun
from releases.export import release_file
from releases.models import Release
from tests.baselines.conftest import release  # noqa: F401
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_curator_imports_predictions_sorts_and_downloads(
    page: Any,
    release: Release,  # noqa: F811
    curator: Any,
    frozen_releases_cleared: None,
    tmp_path: Path,
) -> None:
    stored = release_file(release, "test", "jsonl")
    assert stored is not None
    with stored.file.open("rb") as handle:
        items = [orjson.loads(line) for line in handle]
    # Right on the Conceptual items only; "Based on…" on the Hypothetical ones and no
    # capital letter at all on the Quantitative ones (where the official rule guesses).
    replies = {
        "Hypothetical Reasoning": "Based on the video I cannot say.",
        "Quantitative Reasoning": "no idea from the video.",
    }
    lines = [
        {
            "uid": item["uid"],
            "prediction": replies.get(item["question_type"], f"The answer is ({item['answer']})"),
        }
        for item in items
    ]
    predictions = tmp_path / "model.jsonl"
    predictions.write_bytes(b"".join(orjson.dumps(line) + b"\n" for line in lines))

    sign_in(page, "cora", "pw-cora")
    page.goto("/")
    page.click("nav >> text=Leaderboard")
    page.click('[data-testid="board-svb-1.0.0-test"]')
    page.fill("[data-testid=model-name]", "Concept-only")
    page.set_input_files("[data-testid=predictions-file]", str(predictions))
    page.click("[data-testid=import-submit]")
    page.locator("[data-testid=row-model]").wait_for()
    assert "Imported Concept-only: 12 of 12 items scored" in page.inner_text(".messages")
    model_row = page.locator("[data-testid=row-model]")
    cells = model_row.locator("td.score")
    # Overall 4/12; Conceptual 4/4; Hypothetical 0/4.
    assert cells.nth(0).inner_text().startswith("33.33 4/12")
    assert cells.nth(1).inner_text().startswith("100.00 4/4")
    assert model_row.locator("[data-testid=unreadable]").inner_text() == "8"
    assert cells.nth(1).locator("rect.fill").get_attribute("width") == "100.00"
    # The official rule reads the B of "Based" as an answer and guesses on the rest.
    official_row = page.locator("[data-testid=row-official]")
    assert official_row.locator("td.score").nth(1).inner_text().startswith("100.00 4/4")
    assert official_row.locator("[data-testid=guessed]").inner_text() == "4"

    def names() -> list[str]:
        return [
            row.get_attribute("data-name")
            for row in page.locator("table.board tbody tr:not(.kind-official)").all()
        ]

    assert names() == ["Concept-only", "chance"]
    # Hypothetical: the model has 0%, below chance's 10%.
    page.click("[data-testid=sort-hypothetical]")
    page.wait_for_url("**sort=hypothetical**")
    assert names() == ["chance", "Concept-only"]
    page.click("[data-testid=sort-hypothetical]")
    page.wait_for_url("**dir=asc**")
    assert names() == ["Concept-only", "chance"]

    with page.expect_download() as download_info:
        page.click("[data-testid=download-json]")
    board = json.loads(Path(download_info.value.path()).read_text())
    assert board["rows"][0]["by_type"]["Conceptual Reasoning"]["correct"] == 4
    with page.expect_download() as download_info:
        page.click("[data-testid=download-md]")
    assert "| Concept-only | 33.33 (4/12) |" in Path(download_info.value.path()).read_text()
    assert ModelRun.objects.get().model == "Concept-only"
