"""Markup and script stored in every field that takes untrusted text come out as text.

Question text, options, rationales, evidence notes, transcript cues, the manuscript,
comments and reject comments, user names, the video title, a release's description and
license, a study's name, a model's name and a drafting job's errors and records all hold
payloads. Each role then opens every page it can (and the admin's pages for those objects):
no payload may run, open a dialog or become an element, and the text must be readable as
written. The JSON exports keep it as a string, and no Markdown or CSV download is served as
HTML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.browser.conftest import sign_in
from tests.browser.watch import Watch, until
from tests.security.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>window.__xss=1</script>"


def payload(where: str) -> str:
    """Everything that would run or become markup if it were not escaped, named by `where`."""
    return (
        f"XSS-{where} {SCRIPT}"
        f'<img src=x data-xss="{where}" onerror="window.__xss=1">'
        f'"><svg data-xss="{where}" onload="window.__xss=1"></svg>'
        f'\'><a data-xss="{where}" href="javascript:window.__xss=1">link</a>'
        " {{7*7}} ${7*7} "
        f'<div hx-get="/" hx-trigger="load" data-xss="{where}">htmx</div>'
    )


def short(where: str) -> str:
    """A payload that fits a name field."""
    return f'XSS-{where}<b data-xss="1">b</b><img src=x data-xss=1 onerror=window.__xss=1>'


@pytest.fixture
def world(
    transactional_db: None, frozen_releases_cleared: None, tmp_path: Path, video_dir: Path
) -> World:
    return build_world(
        tmp_path,
        video_dir,
        mark=payload,
        short=short,
        usernames=("cora", short("reviewer"), short("evaluator")),
    )


def expected_text(world: World) -> dict[str, list[str]]:
    """Markers that must be readable on a page, by path."""
    q = world.review_question.uid
    options = [f"XSS-option-{letter}" for letter in "ABCDEFGHIJ"]
    return {
        "/videos/": ["XSS-video-title"],
        f"/videos/{world.video.pk}/": [
            "XSS-video-title",
            "XSS-question-4",
            "XSS-cue-1",
            "XSS-subject",
            "XSS-note-4",
            *options,
        ],
        "/questions/": ["XSS-question-4"],
        f"/questions/{q}/": [
            "XSS-question-4",
            "XSS-note-4",
            "XSS-comment",
            "XSS-reviewer",
            "XSS-llm-model",
            "XSS-cue-2",
            *options,
        ],
        f"/drafting/jobs/{world.job.pk}/": [
            "XSS-job-error",
            "XSS-stage-error",
            "XSS-candidate-failed",
            "XSS-flag",
            "XSS-llm-model",
            "XSS-call-error",
            "XSS-video-title",
        ],
        f"/drafting/calls/{world.call.pk}/": [
            "XSS-prompt",
            "XSS-response",
            "XSS-attempt-error",
            "XSS-media-label",
            "XSS-call-error",
        ],
        "/drafting/jobs/": ["XSS-llm-model"],
        f"/releases/{world.release.pk}/": ["XSS-release-description", "XSS-release-license"],
        "/baseline/": ["XSS-study"],
        f"/baseline/studies/{world.study.pk}/": ["XSS-study", "XSS-evaluator"],
        f"/leaderboard/{world.release.pk}/test/": ["XSS-model"],
        "/questions/dashboard/": ["XSS-reviewer"],
        f"/baseline/{world.study.pk}/": ["XSS-study", "XSS-option-", "XSS-question-", "XSS-cue-"],
    }


def assert_inert(page: Any, watch: Watch, where: str) -> None:
    injected = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-xss], a[href^=\"javascript:\"]'))"
        ".map(e => e.outerHTML.slice(0, 120))"
    )
    assert not injected, f"{where}: payload became markup: {injected[:5]} ({len(injected)} in all)"
    assert page.evaluate("() => window.__xss") is None, f"{where}: a payload ran"
    assert not watch.dialogs, f"{where}: a payload opened a dialog: {watch.dialogs}"
    assert not watch.errors, f"{where}: {watch.errors}"


def open_closed_details(page: Any) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def test_stored_payloads_stay_text_on_every_page(
    browser: Any, live_server: Any, world: World
) -> None:
    users = {"curator": world.curator, "reviewer": world.reviewer, "evaluator": world.evaluator}
    expected = expected_text(world)
    checked: set[str] = set()
    for role, paths in world.pages().items():
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        watch = Watch(page)
        sign_in(page, users[role].username, PASSWORD)
        assert "/accounts/login/" not in page.url, f"{role} could not sign in"
        # The header shows the signed-in user's name, a payload for two of them.
        assert users[role].username in page.inner_text("header")
        for path in paths:
            where = f"{role} {path}"
            response = page.goto(path)
            assert response is not None and response.ok, where
            page.wait_for_load_state("networkidle")
            open_closed_details(page)
            assert_inert(page, watch, where)
            # Rendered text, lower-cased: some headings are styled in capitals.
            text = page.inner_text("body").lower()
            for marker in expected.get(path, []):
                assert marker.lower() in text, f"{where}: {marker!r} is not shown"
            if expected.get(path):
                # Shown as written: tags and template syntax are characters on the page.
                assert SCRIPT in text or '<b data-xss="1">b</b>' in text, where
                checked.add(path)
            if path == f"/questions/{world.review_question.uid}/":
                use_the_review_page(page, watch, world, where)
        watch.collect(role)
        assert not watch.violations, watch.violations
        context.close()
    # Every page that shows a payload was checked for it by some role.
    assert set(expected) <= checked, set(expected) - checked


def use_the_review_page(page: Any, watch: Watch, world: World, where: str) -> None:
    """Panels and htmx swaps render the same text again."""
    assert "{{7*7}}" in page.inner_text("[data-testid=question]")
    page.click("[data-testid=reject]")
    page.locator("#reject-panel").wait_for()
    assert_inert(page, watch, f"{where} reject panel")
    page.keyboard.press("Escape")
    page.click("[data-testid=edit]")
    page.locator("[data-testid=edit-form]").wait_for()
    assert_inert(page, watch, f"{where} edit form")
    # Field values hold the payloads exactly, quotes and all.
    assert page.input_value("[data-testid=edit-text]") == world.review_question.text
    assert page.input_value("[data-testid=edit-option-A]").endswith(payload("option-A"))
    assert page.input_value("#edit-rationale") == payload("rationale-4")
    assert payload("note-4") in [
        box.input_value() for box in page.locator("input[name=span_note]").all()
    ]
    page.click("[data-testid=cancel]")
    page.locator("[data-testid=accept]").wait_for()
    # A new comment with a payload, through the htmx form.
    page.fill("[data-testid=comment-text]", payload("live-comment"))
    page.click("[data-testid=add-comment]")
    until(page, "() => document.body.innerText.includes('XSS-live-comment')")
    assert_inert(page, watch, f"{where} after an htmx swap")


def test_exports_keep_payloads_as_json_strings(world: World) -> None:
    client = Client()
    client.force_login(world.curator)
    lines = client.get("/api/releases/svb/1.0.0/test.jsonl")
    assert lines["Content-Type"].startswith("application/x-ndjson")
    items = [json.loads(line) for line in b"".join(lines.streaming_content).splitlines()]
    assert {item["rationale"] for item in items} == {payload(f"rationale-{n}") for n in (1, 2, 3)}
    assert all(item["options"]["C"].endswith(payload("option-C")) for item in items)
    document = json.loads(
        b"".join(client.get("/api/releases/svb/1.0.0/test.json").streaming_content)
    )
    assert document["items"] == items
    api = client.get("/api/questions/?video_id=1001").json()
    texts = {item["uid"]: item for item in api["results"]}
    assert payload("question-4") in texts[world.review_question.uid]["question"]
    board = json.loads(client.get(f"/leaderboard/{world.release.pk}/test/?format=json").content)
    assert short("model") in [row["name"] for row in board["rows"]]


def test_no_text_download_is_served_as_html(world: World) -> None:
    client = Client()
    client.force_login(world.curator)
    downloads = [
        "/api/releases/svb/1.0.0/README.md",
        "/api/releases/svb/1.0.0/manifest.md",
        "/api/releases/svb/1.0.0/changelog.md",
        "/api/releases/svb/1.0.0/test.tsv",
        f"/leaderboard/{world.release.pk}/test/?format=md",
        f"/leaderboard/{world.release.pk}/test/?format=csv",
    ]
    for path in downloads:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "html" not in response["Content-Type"], f"{path}: {response['Content-Type']}"
        assert response["X-Content-Type-Options"] == "nosniff", path
