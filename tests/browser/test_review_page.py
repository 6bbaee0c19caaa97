"""A curator signs in, finds a video's questions, and seeks the player from a cited time."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.browser.conftest import sign_in
from tests.factories import make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def imported(
    benchmark: Any, tmp_path: Path, video_dir: Path, write_items: Callable[..., Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    shutil.copy(video_dir / "1001.vtt", folder)
    call_command("import_videos", str(folder))
    item = make_item(
        video_id="1001",
        question="Why is the flask heated between 00:12 and 00:14 after mixing?",
        discipline="Chemistry",
        video_duration=20,
        timestamp_breakdown=["00:15-00:17: the readout is taken"],
        options={letter: f"Because of reason {letter}" for letter in "ABCDEFGHIJ"},
    )
    call_command("import_questions", str(write_items([item])))


def test_a_curator_opens_a_question_and_seeks_the_player(
    page: Any, curator: Any, imported: None
) -> None:
    media_statuses: list[int] = []
    page.on(
        "response",
        lambda r: media_statuses.append(r.status) if "/media/video" in r.url else None,
    )
    sign_in(page, "cora", "pw-cora")

    page.click("text=1001")
    page.click("[data-testid=question] .uid")
    player = page.locator("video[data-testid=player]")
    player.wait_for()
    assert page.locator("[data-testid=option-J]").inner_text() == "Because of reason J"
    page.wait_for_function("document.querySelector('video[data-testid=player]').readyState >= 1")

    page.locator(".question-text [data-seek]").first.click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 12) < 0.5"
    )
    page.wait_for_function("document.querySelector('[data-clock]').textContent.startsWith('00:12')")

    page.locator(".chip[data-seek='15.0']").click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 15) < 0.5"
    )
    page.locator(".transcript [data-seek='5.0']").click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 5) < 0.5"
    )
    # Seeking needs byte ranges: the browser must have been answered with 206.
    assert 206 in media_statuses
    assert page.dialogs == []


def test_a_reviewer_outside_the_field_does_not_see_the_question(
    page: Any, outsider: Any, imported: None
) -> None:
    sign_in(page, "phil", "pw-phil")
    page.goto("/questions/")
    assert "No questions match." in page.locator("[data-testid=question-list]").inner_text()


def current_time(page: Any) -> float:
    return float(page.evaluate("document.querySelector('video[data-testid=player]').currentTime"))


def test_the_player_controls_speed_steps_loops_and_searches(
    page: Any, curator: Any, imported: None
) -> None:
    sign_in(page, "cora", "pw-cora")
    page.click("text=1001")
    page.click("[data-testid=question] .uid")
    page.wait_for_function("document.querySelector('video[data-testid=player]').readyState >= 1")

    page.select_option("[data-testid=speed]", "0.25")
    assert page.evaluate("document.querySelector('video[data-testid=player]').playbackRate") == 0.25

    page.click("[data-jump='5']")
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 5) < 0.3"
    )
    page.click("[data-frame='1']")
    # One frame at the probed 5 fps is 0.2 s.
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 5.2) < 0.05"
    )
    page.keyboard.press("j")
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 0.2) < 0.1"
    )

    # Loop the 00:15–00:17 evidence span at 2x: playback keeps returning to its start.
    page.select_option("[data-testid=speed]", "2")
    page.click("[data-loop-start='15.0']")
    page.wait_for_function("document.querySelector('video[data-testid=player]').currentTime > 16.5")
    page.wait_for_function("document.querySelector('video[data-testid=player]').currentTime < 16")
    assert 14.5 <= current_time(page) <= 17.5
    page.click("[data-loop-start='15.0']")

    page.fill("[data-testid=transcript-search]", "heated")
    visible = page.locator(".transcript li:visible")
    assert visible.count() == 1
    assert "heated to 80 degrees" in visible.inner_text()


def test_the_video_page_hides_the_key_of_an_unsolved_solve_first_item(
    page: Any, imported: None
) -> None:
    from sciannot.accounts.models import User
    from videos.models import Benchmark, Video

    Benchmark.objects.update(solve_first=True)
    User.objects.create_user("chem", password="pw-chem", role="reviewer", disciplines=["Chemistry"])
    video = Video.objects.get(video_id="1001")
    sign_in(page, "chem", "pw-chem")

    page.goto(f"/videos/{video.pk}/")
    card = page.locator("[data-testid=question]")
    card.wait_for()
    assert page.locator("[data-testid=option-J]").inner_text() == "Because of reason J"
    assert page.locator("[data-testid=key-mark]").count() == 0
    assert page.locator("[data-testid=solve-first-note]").is_visible()
    assert "the readout is taken" not in card.inner_text()  # the evidence note
    assert page.locator(".rationale").count() == 0

    # Answering on the review page reveals the key on the video page too.
    card.locator(".uid").click()
    page.click("[data-testid=solve-D]")
    page.locator("[data-testid=key-mark]").wait_for()
    page.goto(f"/videos/{video.pk}/")
    assert page.locator("[data-testid=key-mark]").count() == 1
    assert "the readout is taken" in page.locator("[data-testid=question]").inner_text()
    assert page.dialogs == []
