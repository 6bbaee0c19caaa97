"""A curator checks a release, evens out its answer letters, freezes it and downloads it, all
in the browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from releases.models import Release
from reviews.models import Question
from tests.browser.conftest import sign_in
from tests.releases.test_rebalance import lopsided  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_curator_evens_out_the_letters_then_freezes_and_downloads(
    page: Any,
    curator: Any,
    lopsided: list[dict[str, Any]],  # noqa: F811
    frozen_releases_cleared: None,
) -> None:
    sign_in(page, "cora", "pw-cora")
    page.goto("/releases/")
    page.click("text=New release")
    page.wait_for_url(re.compile(r"/releases/new/"))
    page.fill("#id_name", "svb")
    page.fill("#id_version", "1.0.0")
    page.click("[data-testid=check-release]")
    warnings = page.locator("[data-testid=gate-warnings]")
    warnings.wait_for()
    assert "answer letters are unevenly spread (A 20," in warnings.inner_text()

    page.click("[data-testid=propose-rebalance]")
    proposal = page.locator("[data-testid=rebalance-proposal]")
    proposal.wait_for()
    counts = page.locator("[data-testid=letter-counts] tbody tr")
    assert counts.nth(0).inner_text().split()[1:11] == ["20"] + ["0"] * 9
    assert counts.nth(1).inner_text().split()[1:11] == ["2"] * 10
    page.click("[data-testid=apply-rebalance]")
    page.locator("[data-testid=rebalance-applied]").wait_for()
    assert "Re-lettered 18 items" in page.inner_text("[data-testid=rebalance-applied]")
    assert sorted(Question.objects.values_list("answer", flat=True)).count("A") == 2

    # The form kept what was typed; checking again shows no letter warning.
    page.click("[data-testid=check-release]")
    page.locator("[data-testid=gate-report]").wait_for()
    assert "unevenly spread" not in page.inner_text("[data-testid=gate]")
    # The gate still warns (the items were accepted on import): freezing asks first, in the
    # page, listing the warnings; nothing is frozen until the curator confirms.
    page.click("[data-testid=freeze-release]")
    confirm = page.locator("[data-testid=freeze-confirm]")
    confirm.wait_for()
    listed = page.locator("[data-testid=confirm-warnings] li")
    assert listed.count() >= 1
    assert "expert accept" in listed.first.inner_text()
    assert not Release.objects.exists()
    page.click("[data-testid=cancel-freeze]")
    assert not confirm.is_visible()
    assert page.url.endswith("/releases/new/") and not Release.objects.exists()
    page.click("[data-testid=freeze-release]")
    page.locator("[data-testid=freeze-confirm]").wait_for()
    page.click("[data-testid=confirm-freeze]")
    page.wait_for_url(re.compile(r"/releases/\d+/$"))
    release = Release.objects.get()
    assert release.sealed and release.name == "svb"
    assert release.warnings and page.dialogs == []
    with page.expect_download() as download_info:
        page.click("[data-testid=download-test-jsonl]")
    lines = Path(download_info.value.path()).read_text(encoding="utf-8").splitlines()
    answers = [json.loads(line)["answer"] for line in lines]
    assert sorted(answers.count(letter) for letter in "ABCDEFGHIJ") == [2] * 10

    # The whole release downloads as one archive from its button.
    with page.expect_download() as archive_info:
        page.click("[data-testid=download-archive]")
    assert archive_info.value.suggested_filename == "svb-1.0.0-archive.zip"
    # On a phone, the tables of checksums (files and videos) fit the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    for table in ("table:has(code.hash)", "[data-testid=video-files]"):
        right = page.locator(table).first.evaluate("t => t.getBoundingClientRect().right")
        assert right <= 390, (table, right)
