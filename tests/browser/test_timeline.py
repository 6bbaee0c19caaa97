"""The timeline under the player: a band per evidence span where it belongs, a click seeks,
the edges of a band drag and step the span's start and end in edit mode, and the answering
page shows where the evidence is without a word of its notes."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from reviews.models import Question
from tests.browser.conftest import sign_in
from tests.factories import make_item
from videos.media.thumbnails import THUMBNAIL_COUNT
from videos.models import Video
from videos.thumbnails import video_make_thumbnails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DURATION = 20.0  # jove_1001.mp4: 20 s at 5 fps


def import_video(tmp_path: Path, video_dir: Path) -> Video:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    shutil.copy(video_dir / "1001.vtt", folder)
    call_command("import_videos", str(folder), stdout=io.StringIO())
    return Video.objects.get(video_id="1001")


@pytest.fixture
def question(
    benchmark: Any, tmp_path: Path, video_dir: Path, write_items: Callable[..., Path]
) -> Question:
    video = import_video(tmp_path, video_dir)
    # What the worker does once the file is stored.
    assert video_make_thumbnails(video_pk=video.pk)
    item = make_item(
        video_id="1001",
        question="Why is the flask heated after mixing?",
        discipline="Chemistry",
        video_duration=DURATION,
        timestamp_breakdown=["00:04-00:06: the reagents are poured", "00:15-00:17: a readout"],
        options={letter: f"Because of reason {letter}" for letter in "ABCDEFGHIJ"},
    )
    call_command("import_questions", str(write_items([item])), stdout=io.StringIO())
    return Question.objects.get()


def open_review(page: Any, question: Question) -> None:
    sign_in(page, "cora", "pw-cora")
    page.goto(f"/questions/{question.uid}/")
    page.wait_for_function("document.querySelector('video[data-testid=player]').readyState >= 1")


def current_time(page: Any) -> float:
    return float(page.evaluate("document.querySelector('video[data-testid=player]').currentTime"))


def wait_for_time(page: Any, seconds: float, tolerance: float = 0.5) -> None:
    page.wait_for_function(
        "([t, tol]) => Math.abs("
        "document.querySelector('video[data-testid=player]').currentTime - t) < tol",
        arg=[seconds, tolerance],
    )


def track_box(page: Any) -> dict[str, float]:
    box = page.locator("[data-timeline-track]").bounding_box()
    assert box is not None
    return box


def fraction_of(page: Any, locator: Any) -> tuple[float, float]:
    """Where an element starts and ends along the track, as fractions of its width."""
    track = track_box(page)
    box = locator.bounding_box()
    assert box is not None
    return (
        (box["x"] - track["x"]) / track["width"],
        (box["x"] + box["width"] - track["x"]) / track["width"],
    )


def x_at(page: Any, seconds: float) -> float:
    track = track_box(page)
    return track["x"] + track["width"] * seconds / DURATION


def test_the_timeline_shows_a_band_per_span_with_its_note_and_seeks(
    page: Any, curator: Any, question: Question
) -> None:
    open_review(page, question)
    spans = list(question.spans.order_by("order").values_list("start", "end", "note"))
    assert spans == [(4.0, 6.0, "the reagents are poured"), (15.0, 17.0, "a readout")]

    bands = page.locator("[data-timeline] [data-testid=band]")
    assert bands.count() == len(spans)
    for index, (start, end, _note) in enumerate(spans):
        left, right = fraction_of(page, bands.nth(index))
        assert left == pytest.approx(start / DURATION, abs=0.01)
        assert right == pytest.approx(end / DURATION, abs=0.01)
    # A colour per span.
    colours = [
        bands.nth(i).evaluate("b => getComputedStyle(b).boxShadow") for i in range(len(spans))
    ]
    assert len(set(colours)) == len(spans)

    # The note shows on hover.
    note = page.locator("[data-timeline] [data-testid=band-note]").nth(1)
    assert not note.is_visible()
    bands.nth(1).hover()
    assert note.is_visible()
    assert note.inner_text() == "a readout"

    # The worker's thumbnails: one tile per picture of the strip, cropped from it.
    page.wait_for_function(
        "n => document.querySelectorAll('[data-timeline] .timeline-thumb').length === n",
        arg=THUMBNAIL_COUNT,
    )
    tile = page.locator("[data-timeline] .timeline-thumb").first
    assert "/media/thumbnails" in tile.evaluate("t => t.style.backgroundImage")

    # A click on the strip seeks there; a click on a band, to its start.
    track = track_box(page)
    page.mouse.click(x_at(page, 10.0), track["y"] + track["height"] / 2)
    wait_for_time(page, 10.0)
    bands.nth(1).click()
    wait_for_time(page, 15.0)
    # The playhead follows the video.
    page.wait_for_function(
        "() => { const h = document.querySelector('[data-timeline-playhead]');"
        " return Math.abs(parseFloat(h.style.left) - 75) < 1.5; }"
    )
    bands.nth(0).focus()
    page.keyboard.press("Enter")
    wait_for_time(page, 4.0)
    assert page.dialogs == []


def test_dragging_and_stepping_band_edges_edits_the_span_and_saving_keeps_it(
    page: Any, curator: Any, question: Question
) -> None:
    open_review(page, question)
    page.click("[data-testid=edit]")
    page.locator("[data-testid=edit-form]").wait_for()
    page.wait_for_function("document.querySelector('video[data-testid=player]').readyState >= 1")
    first_start = page.locator("[data-span-row] [data-span-start]").first
    first_end = page.locator("[data-span-row] [data-span-end]").first
    assert first_start.input_value() == "00:04"

    # Drag the first band's left edge from 00:04 to 00:02.
    handle = page.locator("[data-timeline] [data-testid=band-start]").first
    box = handle.bounding_box()
    assert box is not None
    middle_y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] / 2, middle_y)
    page.mouse.down()
    page.mouse.move(x_at(page, 3.0), middle_y, steps=4)
    page.mouse.move(x_at(page, 2.0), middle_y, steps=4)
    page.mouse.up()
    assert first_start.input_value() == "00:02"
    left, _right = fraction_of(page, page.locator("[data-timeline] [data-testid=band]").first)
    assert left == pytest.approx(2.0 / DURATION, abs=0.01)
    # Dragging shows the frame there.
    wait_for_time(page, 2.0)

    # The end's handle is a slider: a frame (0.2 s at 5 fps) per arrow, 1 s with Shift.
    end_handle = page.locator("[data-timeline] [data-testid=band-end]").first
    assert end_handle.get_attribute("role") == "slider"
    assert float(end_handle.get_attribute("aria-valuenow") or "0") == pytest.approx(6.0)
    assert end_handle.get_attribute("aria-valuemax") == f"{DURATION:.3f}"
    end_handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert first_end.input_value() == "00:06.400"
    page.keyboard.press("Shift+ArrowLeft")
    assert first_end.input_value() == "00:05.400"
    assert end_handle.get_attribute("aria-valuetext") == "00:05.4"

    # Typing a time moves the band at once.
    second_start = page.locator("[data-span-row] [data-span-start]").nth(1)
    second_start.fill("00:12")
    left, _right = fraction_of(page, page.locator("[data-timeline] [data-testid=band]").nth(1))
    assert left == pytest.approx(12.0 / DURATION, abs=0.01)

    # [ sets the new span's start from the playhead, and it gets a band of its own.
    page.locator("[data-timeline] [data-testid=band]").nth(1).click()
    wait_for_time(page, 12.0)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("[")
    page.wait_for_function(
        "document.querySelectorAll('[data-timeline] .band:not([hidden])').length === 3"
    )

    page.click("[data-testid=save]")
    page.locator("[data-testid=edit-form]").wait_for(state="detached")
    spans = list(question.spans.order_by("order").values_list("start", "end"))
    assert spans[0] == (2.0, pytest.approx(5.4))
    assert spans[1] == (12.0, 17.0)
    assert spans[2][0] == pytest.approx(12.0, abs=0.3)


def test_the_server_still_refuses_an_end_before_the_start(
    page: Any, curator: Any, question: Question
) -> None:
    open_review(page, question)
    page.click("[data-testid=edit]")
    page.locator("[data-testid=edit-form]").wait_for()
    page.locator("[data-span-row] [data-span-end]").first.fill("00:01")
    page.click("[data-testid=save]")
    page.locator("[data-testid=edit-form] .field-error").first.wait_for()
    first = question.spans.order_by("order").values_list("start", "end").first()
    assert first == (4.0, 6.0)


@pytest.fixture
def study_with_video(
    benchmark: Any,
    evaluator: Any,
    tmp_path: Path,
    video_dir: Path,
    write_items: Callable[..., Path],
    frozen_releases_cleared: None,
) -> int:
    from baselines.models import Study
    from tests.releases.conftest import freeze

    import_video(tmp_path, video_dir)
    item = make_item(
        video_id="1001",
        question="What happens to the sample after it is mixed?",
        discipline="Chemistry",
        video_duration=DURATION,
        timestamp_breakdown=["00:05-00:08: SECRET-NOTE-ONE", "00:12-00:14: SECRET-NOTE-TWO"],
        rationale="SECRET-RATIONALE",
    )
    call_command(
        "import_questions", str(write_items([item])), "--status", "accepted", stdout=io.StringIO()
    )
    freeze("svb", "--version", "1.0.0")
    call_command(
        "baseline_study", "timeline", "--release", "svb", "--version", "1.0.0",
        "--evaluators", "eva", stdout=io.StringIO(),
    )  # fmt: skip
    return int(Study.objects.get().pk)


def test_the_answering_page_shows_the_evidence_bands_without_their_notes(
    page: Any, study_with_video: int
) -> None:
    sign_in(page, "eva", "pw-eva")
    page.goto(f"/baseline/{study_with_video}/")
    page.wait_for_url(re.compile(rf"/baseline/{study_with_video}/$"))
    page.wait_for_function("document.querySelector('video[data-testid=player]').readyState >= 1")

    bands = page.locator("[data-timeline] [data-testid=band]")
    assert bands.count() == 2
    left, right = fraction_of(page, bands.nth(1))
    assert left == pytest.approx(12.0 / DURATION, abs=0.01)
    assert right == pytest.approx(14.0 / DURATION, abs=0.01)
    html = page.content()
    assert "SECRET-NOTE" not in html
    assert "SECRET-RATIONALE" not in html
    assert page.locator("[data-timeline] [data-testid=band-note]").count() == 0

    bands.nth(0).click()
    wait_for_time(page, 5.0)
