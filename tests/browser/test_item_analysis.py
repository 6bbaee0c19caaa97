"""A curator opens a split's item analysis from the release page, sorts the table by how
many humans were right, filters it to a flag, sends the flagged item back for revision and
opens its review page, where the analysis is a comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from releases.models import Release
from tests.baselines.conftest import release, seed_analysis  # noqa: F401
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def humans_right(page: Any) -> list[float]:
    return [
        float(row.get_attribute("data-humans-p"))
        for row in page.locator("[data-testid=analysis-row]").all()
    ]


def test_a_curator_sorts_and_filters_the_item_analysis(
    page: Any,
    release: Release,  # noqa: F811
    curator: Any,
    frozen_releases_cleared: None,
    tmp_path: Path,
) -> None:
    seed_analysis(release, tmp_path)
    sign_in(page, "cora", "pw-cora")
    page.goto(f"/releases/{release.pk}/")
    page.click("[data-testid=item-analysis-test]")
    page.locator("[data-testid=item-analysis]").wait_for()
    assert page.locator("[data-testid=analysis-row]").count() == 12
    assert page.locator("[data-testid=bar-humans]").count() == 12
    # Each bar's segments fill it: the letters of six humans.
    widths = page.locator("[data-testid=analysis-row]").first.locator(
        "[data-testid=bar-humans] rect"
    )
    assert sum(float(w.get_attribute("width")) for w in widths.all()) == pytest.approx(200, 0.01)

    in_release_order = humans_right(page)
    page.click("[data-testid=sort-humans_p]")
    page.wait_for_url("**sort=humans_p**dir=desc**")
    assert humans_right(page) == sorted(in_release_order, reverse=True)
    assert humans_right(page) != in_release_order
    page.click("[data-testid=sort-humans_p]")
    page.wait_for_url("**dir=asc**")
    assert humans_right(page) == sorted(in_release_order)

    page.select_option("[data-testid=flag-filter]", "possible_wrong_key")
    page.click("[data-testid=analysis-filter] button")
    page.wait_for_url("**flag=possible_wrong_key**")
    rows = page.locator("[data-testid=analysis-row]")
    assert rows.count() == 1
    assert "3 chose B and 1 the key A" in rows.first.inner_text()
    page.click("[data-testid=send-back]")
    page.locator(".messages").wait_for()
    assert "Sent 1 item back for revision" in page.inner_text(".messages")
    page.locator("[data-testid=analysis-row]").first.locator("[data-testid=review-link]").click()
    page.wait_for_url("**/questions/**")
    page.get_by_text("What happens to sample 0 between").first.wait_for()
    # The review page shows the analysis as a comment, and the item needs revision.
    page.get_by_text("Item analysis of svb 1.0.0 (test)").first.wait_for()
    assert "Needs revision" in page.inner_text("body")
