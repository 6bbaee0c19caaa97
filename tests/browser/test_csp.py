"""Under the strict Content-Security-Policy nothing on any page is blocked: each role signs
in and uses every page it can open — the player playing, the review panels opened, an
answer given, the admin — and the browser reports no violation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.browser.watch import Watch, until
from tests.security.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(
    transactional_db: None, frozen_releases_cleared: None, tmp_path: Path, video_dir: Path
) -> World:
    return build_world(tmp_path, video_dir)


def play(page: Any) -> None:
    """Play the page's player until the time moves, then pause it."""
    player = "document.querySelector('video[data-testid=player]')"
    until(page, f"() => {player}.readyState >= 1")
    page.evaluate(f"() => {player}.play()")
    until(page, f"() => {player}.currentTime > 0.3")
    page.evaluate(f"() => {player}.pause()")


def use(page: Any, role: str, path: str, world: World) -> None:
    """What a person does on the page beyond looking at it."""
    uid = world.review_question.uid
    if path == f"/videos/{world.video.pk}/":
        play(page)
        page.click(".transcript .cue >> nth=1")
        page.fill("[data-testid=transcript-search]", "Cue 2")
    elif path == f"/questions/{uid}/":
        play(page)
        page.select_option("[data-testid=speed]", "2")
        page.click("[data-loop-start] >> nth=0")
        page.keyboard.press("?")
        page.locator("[data-testid=shortcuts]").wait_for()
        page.keyboard.press("Escape")
        page.click("[data-testid=reject]")
        page.locator("#reject-panel").wait_for()
        page.click("#reject-panel [data-toggle]")
        page.click("[data-testid=edit]")
        page.locator("[data-testid=edit-form]").wait_for()
        page.click("[data-testid=cancel]")
        page.locator("[data-testid=accept]").wait_for()
        page.fill("[data-testid=comment-text]", f"a comment by the {role}")
        page.click("[data-testid=add-comment]")
        until(
            page,
            "text => document.querySelector('[data-testid=comments]').innerText.includes(text)",
            arg=f"a comment by the {role}",
        )
    elif path.startswith("/drafting/new/"):
        page.fill("#id_conceptual", "2")
        until(page, "() => /Estimate: about \\d+ LLM calls/.test(document.body.innerText)")
    elif path == "/releases/new/":
        page.click("[data-testid=check-release]")
        page.locator("[data-testid=gate-report], [data-testid=error], .error-box").first.wait_for()
    elif path == f"/releases/{world.release.pk}/":
        page.click("[data-testid=change-access]")
    elif path == f"/leaderboard/{world.release.pk}/test/":
        page.click("[data-testid=sort-overall]")
        page.wait_for_url(re.compile(r"sort=overall"))
    elif path == f"/baseline/{world.study.pk}/":
        play(page)
        first = page.inner_text("[data-testid=question]")
        page.click("[data-testid=choice-C]")
        page.click("[data-testid=submit-answer]")
        until(
            page,
            "q => !document.querySelector('[data-testid=question]') ||"
            " document.querySelector('[data-testid=question]').innerText !== q",
            arg=first,
        )


def test_no_page_breaks_the_content_security_policy(
    browser: Any, live_server: Any, world: World
) -> None:
    users = {"curator": world.curator, "reviewer": world.reviewer, "evaluator": world.evaluator}
    visited = []
    watches = []
    for role, paths in world.pages().items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1400, "height": 900}
        )
        page = context.new_page()
        watch = Watch(page)
        watches.append(watch)
        sign_in(page, users[role].username, PASSWORD)
        assert "/accounts/login/" not in page.url, f"{role} could not sign in"
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.ok, f"{role} {path}"
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            use(page, role, path, world)
            watch.collect(f"{role} {path}")
            visited.append(path)
        # The watch is not blind: an inline script is blocked, and reported.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__inline = 1'; document.body.appendChild(s); }"
        )
        until(page, "() => window.__cspViolations.length > 0")
        assert page.evaluate("window.__inline") is None
        assert page.evaluate("window.__cspViolations[0].directive").startswith("script-src")
        context.close()
    assert len(visited) == sum(len(paths) for paths in world.pages().values())
    for watch in watches:
        assert not watch.violations, watch.violations
        # Only the blocked inline script of the check above may be in the console.
        csp_errors = [text for text in watch.csp_console_errors() if "inline script" not in text]
        assert not csp_errors, csp_errors
        assert len(watch.csp_console_errors()) <= 1
        assert not watch.errors, watch.errors
