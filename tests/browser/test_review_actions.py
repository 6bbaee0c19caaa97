"""An expert works through the queue in the browser: keyboard accept, reject, edit, safety."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from reviews.models import Decision, Question, QuestionStatus
from reviews.services import decisions
from tests.browser.conftest import sign_in
from tests.browser.watch import Watch, until
from tests.factories import make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = "<script>alert(1)</script>"


@pytest.fixture
def queue(
    benchmark: Any, tmp_path: Path, video_dir: Path, write_items: Callable[..., Path]
) -> list[Question]:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder))
    options = {letter: f"Reason {letter}" for letter in "ABCDEFGHIJ"}
    items = [
        make_item(
            video_id="1001",
            question=f"Question {n}: why at 00:0{n}?",
            video_duration=20,
            discipline="Biology",
            timestamp_breakdown=[],
            options=options,
        )
        for n in range(1, 4)
    ]
    items[2]["options"] = {**options, "E": PAYLOAD}
    call_command("import_questions", str(write_items(items)))
    return list(Question.objects.order_by("id"))


def open_first(page: Any, queue: list[Question]) -> None:
    sign_in(page, "bea", "pw-bea")
    page.goto(f"/questions/{queue[0].uid}/")
    page.locator("video[data-testid=player]").wait_for()


def test_a_reviewer_accepts_with_the_keyboard_and_the_next_item_loads(
    page: Any, reviewer: Any, queue: list[Question]
) -> None:
    open_first(page, queue)
    page.keyboard.press("?")
    assert page.locator("[data-testid=shortcuts]").is_visible()
    page.keyboard.press("?")

    page.keyboard.press("a")

    page.wait_for_url(f"**/questions/{queue[1].uid}/")
    assert "Accept: question" in page.locator("[data-testid=flash]").inner_text()
    assert page.locator(".question-text").inner_text().startswith("Question 2")
    # The tab's title follows the item loaded in place.
    assert page.title() == f"1001 · {queue[1].uid} · sciannot"
    queue[0].refresh_from_db()
    assert queue[0].status == QuestionStatus.ACCEPTED
    # The swapped-in player works: a time in the new question still seeks it.
    page.wait_for_function("document.querySelector('video[data-testid=player]').readyState >= 1")
    page.locator(".question-text [data-seek]").first.click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 2) < 0.5"
    )
    assert page.evaluate(
        "(() => { const v = document.querySelector('video[data-testid=player]');"
        " return v.seekable.length > 0 && v.seekable.end(0) >= v.duration - 0.5; })()"
    )


def test_shortcuts_are_off_while_typing(page: Any, reviewer: Any, queue: list[Question]) -> None:
    open_first(page, queue)
    page.click("[data-testid=reject]")
    page.fill("#reject-comment", "a a a")
    assert page.url.endswith(f"/questions/{queue[0].uid}/")
    assert not Decision.objects.exists()


def test_a_reviewer_rejects_with_a_reason_in_the_page(
    page: Any, reviewer: Any, queue: list[Question]
) -> None:
    open_first(page, queue)
    page.keyboard.press("r")
    panel = page.locator("#reject-panel")
    assert panel.is_visible()
    page.click("[data-testid=confirm-reject]")
    assert "Choose why" in page.locator("[data-testid=reason-error]").inner_text()
    page.check("[data-testid=reason-answerable_without_video]")
    page.fill("#reject-comment", "Option D is common knowledge.")
    page.click("[data-testid=confirm-reject]")
    page.wait_for_url(f"**/questions/{queue[1].uid}/")
    decision = Decision.objects.get()
    assert (decision.kind, decision.reason) == ("reject", "answerable_without_video")
    assert page.dialogs == []


def test_a_reviewer_edits_an_option_and_saves(
    page: Any, reviewer: Any, queue: list[Question]
) -> None:
    open_first(page, queue)
    page.keyboard.press("e")
    page.locator("[data-testid=edit-option-C]").fill("")
    page.click("[data-testid=save]")
    assert "Option C is empty." in page.locator("[data-testid=error-option-C]").inner_text()
    page.locator("[data-testid=edit-option-C]").fill("A sharper option C")
    page.click("[data-testid=save]")
    page.locator("[data-testid=flash]").wait_for()
    assert page.locator("[data-testid=option-C]").inner_text() == "A sharper option C"
    assert page.locator("[data-testid=version]").inner_text() == "2"
    queue[0].refresh_from_db()
    assert queue[0].options.get(letter="C").text == "A sharper option C"


def test_markup_in_an_option_shows_as_text(page: Any, reviewer: Any, queue: list[Question]) -> None:
    sign_in(page, "bea", "pw-bea")
    page.goto(f"/questions/{queue[2].uid}/")
    assert page.locator("[data-testid=option-E]").inner_text() == PAYLOAD
    page.keyboard.press("e")
    assert page.locator("[data-testid=edit-option-E]").input_value() == PAYLOAD
    assert page.dialogs == []


def test_two_experts_save_the_same_item_and_nothing_is_lost(
    page: Any,
    browser: Any,
    live_server: Any,
    reviewer: Any,
    curator: Any,
    queue: list[Question],
) -> None:
    other_context = browser.new_context(base_url=live_server.url)
    other = other_context.new_page()
    try:
        open_first(page, queue)
        sign_in(other, "cora", "pw-cora")
        other.goto(f"/questions/{queue[0].uid}/")
        for tab in (page, other):
            tab.click("[data-testid=edit]")
            tab.locator("[data-testid=save]").wait_for()

        other.locator("[data-testid=edit-option-A]").fill("Curator's option A")
        other.click("[data-testid=save]")
        other.locator("[data-testid=flash]").wait_for()

        page.locator("[data-testid=edit-option-B]").fill("Reviewer's option B")
        page.click("[data-testid=save]")
        error = page.locator("[data-testid=error]")
        error.wait_for()
        assert "changed by cora" in error.inner_text()
        # The reviewer's typing is still in the form, now on the current version.
        assert page.locator("[data-testid=edit-option-B]").input_value() == "Reviewer's option B"
        queue[0].refresh_from_db()
        assert queue[0].options.get(letter="A").text == "Curator's option A"
        assert queue[0].options.get(letter="B").text == "Reason B"

        # Reapplied on top of the curator's save, the curator's option A is kept.
        assert page.locator("[data-testid=edit-option-A]").input_value() == "Curator's option A"
        page.click("[data-testid=save]")
        page.locator("[data-testid=flash]").wait_for()
        queue[0].refresh_from_db()
        assert queue[0].version == 3
        assert queue[0].options.get(letter="B").text == "Reviewer's option B"
        assert queue[0].options.get(letter="A").text == "Curator's option A"
    finally:
        other_context.close()


def test_escape_closes_the_reject_panel_and_keys_work_from_a_radio(
    page: Any, reviewer: Any, queue: list[Question]
) -> None:
    open_first(page, queue)
    page.keyboard.press("r")
    page.check("[data-testid=reason-duplicate]")
    page.keyboard.press("Escape")
    assert not page.locator("#reject-panel").is_visible()
    # Focus is still on the radio button, which is not a text field: "e" opens the editor.
    page.keyboard.press("e")
    page.locator("[data-testid=save]").wait_for()
    assert page.locator("[data-span-start]").first.input_value() in ("00:01", "")


def test_the_next_item_swaps_in_without_breaking_the_content_security_policy(
    browser: Any, live_server: Any, reviewer: Any, queue: list[Question]
) -> None:
    # A context that enforces the policy (the `page` fixture bypasses it).
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        watch = Watch(page)
        open_first(page, queue)
        assert page.title() == f"1001 · {queue[0].uid} · sciannot"
        for following in queue[1:]:
            page.click("[data-testid=accept]")
            page.wait_for_url(f"**/questions/{following.uid}/")
            until(
                page,
                "uid => document.querySelector('#review').dataset.uid === uid",
                arg=following.uid,
            )
            until(
                page, "title => document.title === title", arg=f"1001 · {following.uid} · sciannot"
            )
        page.wait_for_load_state("networkidle")
        # One document all along: the swaps happened in place, and reported nothing.
        watch.collect("review, after two in-place loads")
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        assert not watch.violations, watch.violations
        assert not watch.csp_console_errors(), watch.csp_console_errors()
        assert not watch.errors, watch.errors
    finally:
        context.close()


def test_a_rejected_item_shows_its_state_and_a_curator_reopens_it(
    page: Any, browser: Any, live_server: Any, reviewer: Any, curator: Any, queue: list[Question]
) -> None:
    rejected = queue[0]
    decisions.question_decide(
        question=rejected,
        reviewer=reviewer,
        kind="reject",
        seen_version=1,
        reason="not_grounded",
        comment="The cited moment shows something else",
    )
    # The reviewer sees the state, who and why, and no decision to make.
    open_first(page, queue)
    state = page.locator("[data-testid=rejected-state]")
    assert "Rejected by bea · Not grounded" in " ".join(state.inner_text().split())
    assert "a curator may reopen it" in state.inner_text()
    for button in ("accept", "reject", "send-back", "unsure", "reopen"):
        assert page.locator(f"#review [data-testid={button}]").count() == 0, button
    assert "needed" not in page.locator(".facts").inner_text()
    assert page.title() == f"1001 · {rejected.uid} · rejected · sciannot"

    # The curator reopens it in place; it is back in review with the decision buttons.
    other_context = browser.new_context(base_url=live_server.url)
    try:
        other = other_context.new_page()
        sign_in(other, "cora", "pw-cora")
        other.goto(f"/questions/{rejected.uid}/")
        assert "The cited moment shows something else" in other.inner_text(
            "[data-testid=rejected-state]"
        )
        other.click("[data-testid=reopen]")
        other.locator("[data-testid=accept]").wait_for()
        assert "Reopened: question" in other.inner_text("[data-testid=flash]")
        assert other.locator("[data-testid=rejected-state]").count() == 0
        assert other.inner_text("[data-testid=question] .badge >> nth=0") == "In review"
        assert other.title() == f"1001 · {rejected.uid} · sciannot"
    finally:
        other_context.close()
    rejected.refresh_from_db()
    assert rejected.status == QuestionStatus.IN_REVIEW
    page.reload()
    page.locator("#review [data-testid=accept]").wait_for()
    assert page.dialogs == []
