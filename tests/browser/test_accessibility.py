"""An accessibility pass with axe-core over every page of the demo's world, for each role:
no violation of impact serious or critical on any page.

axe-core goes into the page through Playwright's evaluate (the DevTools protocol), which the
site's Content-Security-Policy does not govern, so these contexts keep the policy on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.browser.conftest import sign_in
from tests.security.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


@pytest.fixture
def world(
    transactional_db: None, frozen_releases_cleared: None, tmp_path: Path, video_dir: Path
) -> World:
    return build_world(tmp_path, video_dir)


def pages(world: World) -> dict[str, list[str]]:
    """Every page of the CSP tour, the home page, the navigation's account links, and a
    page that is not there. Of Django's admin, its index and lists: its change forms are
    Django's own markup (split date-time fields and inline rows without labels), not the
    site's."""
    missing = "/no-such-page/"
    extra = ["/", reverse("accounts:token"), reverse("password_change"), missing]
    curator_extra = [
        reverse("accounts:users"),
        reverse("accounts:user", args=[world.reviewer.pk]),
        reverse("accounts:invitations"),
        reverse("videos:upload"),
    ]
    tour = {
        role: [
            path for path in paths if not (path.startswith("/admin/") and path.endswith("/change/"))
        ]
        for role, paths in world.pages().items()
    }
    return {
        "curator": tour["curator"] + extra + curator_extra,
        "reviewer": tour["reviewer"] + extra,
        "evaluator": tour["evaluator"] + extra,
    }


def serious_violations(axe: Axe, page: Any) -> list[str]:
    results = axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
        found.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"{violation['helpUrl']} at {targets}"
        )
    return found


def test_no_page_has_a_serious_accessibility_violation(
    browser: Any, live_server: Any, world: World
) -> None:
    users = {"curator": world.curator, "reviewer": world.reviewer, "evaluator": world.evaluator}
    axe = Axe()
    failures: list[str] = []
    visited = 0
    for role, paths in pages(world).items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1440, "height": 900}
        )
        page = context.new_page()
        try:
            sign_in(page, users[role].username, PASSWORD)
            assert "/accounts/login/" not in page.url, f"{role} could not sign in"
            for path in paths:
                response = page.goto(path)
                assert response is not None, f"{role} {path}"
                expected = 404 if path == "/no-such-page/" else 200
                assert response.status == expected, f"{role} {path}: {response.status}"
                page.wait_for_load_state("load")
                for violation in serious_violations(axe, page):
                    failures.append(f"{role} {path}: {violation}")
                visited += 1
        finally:
            context.close()
    assert visited == sum(len(paths) for paths in pages(world).values())
    assert failures == [], "serious or critical accessibility violations:\n" + "\n".join(failures)


def test_states_reached_in_the_page_have_no_serious_violation(
    browser: Any, live_server: Any, world: World
) -> None:
    """What scripts put on screen: edit mode opened from the review page, and the
    navigation's menu unfolded at a phone's width."""
    axe = Axe()
    failures: list[str] = []
    checked = []
    for user, path in [
        (world.reviewer, f"/questions/{world.review_question.uid}/"),
        (world.evaluator, f"/baseline/{world.study.pk}/"),
    ]:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1440, "height": 900}
        )
        page = context.new_page()
        try:
            sign_in(page, user.username, PASSWORD)
            page.goto(path)
            page.wait_for_load_state("load")
            if user == world.reviewer:
                page.click("[data-testid=edit]")
                page.locator("[data-testid=edit-form]").wait_for()
                failures += [f"edit mode: {v}" for v in serious_violations(axe, page)]
                checked.append("edit mode")
            page.set_viewport_size({"width": 390, "height": 844})
            toggle = page.locator("[data-testid=nav-toggle]")
            toggle.click()
            assert toggle.get_attribute("aria-expanded") == "true"
            assert page.locator("[data-testid=sign-out]").is_visible()
            failures += [f"{path} menu open: {v}" for v in serious_violations(axe, page)]
            checked.append(f"{path} menu")
        finally:
            context.close()
    assert len(checked) == 3
    assert failures == [], "serious or critical accessibility violations:\n" + "\n".join(failures)
