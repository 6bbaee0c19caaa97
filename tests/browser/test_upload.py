"""A curator uploads a video and its transcript from the browser in several chunks, watches the
progress reach 100%, lands on the video's page, and plays and seeks the player there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from videos.models import Upload, UploadStatus, Video

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Keeps the highest value the progress bar showed, and what the status line said, in
# sessionStorage, so they can be read after the page has moved on to the video.
RECORD_PROGRESS = """
document.addEventListener("DOMContentLoaded", function () {
  var bar = document.querySelector("[data-upload-progress]");
  var status = document.querySelector("[data-upload-status]");
  if (!bar) { return; }
  new MutationObserver(function () {
    var best = Number(sessionStorage.getItem("best-progress") || "0");
    if (Number(bar.value) > best) { sessionStorage.setItem("best-progress", String(bar.value)); }
  }).observe(bar, {attributes: true});
  new MutationObserver(function () {
    var said = JSON.parse(sessionStorage.getItem("status-lines") || "[]");
    said.push(status.textContent);
    sessionStorage.setItem("status-lines", JSON.stringify(said));
  }).observe(status, {childList: true, characterData: true, subtree: true});
});
"""


def player_time(page: Any) -> float:
    return float(page.evaluate("document.querySelector('video[data-testid=player]').currentTime"))


def test_a_curator_uploads_a_video_in_chunks_and_plays_it(
    page: Any, curator: Any, benchmark: Any, video_dir: Path, settings: Any
) -> None:
    settings.UPLOAD_CHUNK_BYTES = 16 * 1024
    video_file = video_dir / "jove_1001.mp4"
    chunk_requests: list[Any] = []
    page.on(
        "request",
        lambda request: chunk_requests.append(request) if request.url.endswith("/chunk") else None,
    )
    page.add_init_script(RECORD_PROGRESS)
    sign_in(page, "cora", "pw-cora")

    page.goto("/videos/")
    page.click("[data-testid=upload-link]")
    assert page.get_attribute("[data-upload-form]", "data-chunk-size") == str(16 * 1024)
    page.set_input_files("[data-testid=upload-video]", str(video_file))
    # The id comes from the jove_<id> name.
    expect(page.locator("[data-testid=upload-video-id]")).to_have_value("1001")
    page.set_input_files("[data-testid=upload-transcript]", str(video_dir / "1001.vtt"))
    page.click("[data-testid=upload-start]")

    page.wait_for_url(re.compile(r"/videos/\d+/$"), timeout=60_000)

    assert page.evaluate("sessionStorage.getItem('best-progress')") == "100"
    said = page.evaluate("JSON.parse(sessionStorage.getItem('status-lines') || '[]')")
    assert any(line.startswith("Uploading jove_1001.mp4: ") for line in said)
    assert any("checking the video" in line for line in said)
    expected_chunks = -(-video_file.stat().st_size // (16 * 1024))
    assert len([r for r in chunk_requests if r.method == "PUT"]) >= expected_chunks >= 3
    assert all(r.headers.get("x-csrftoken") for r in chunk_requests)
    assert page.dialogs == []

    video = Video.objects.get(video_id="1001")
    assert page.url.endswith(f"/videos/{video.pk}/")
    assert video.duration == pytest.approx(20.0, abs=0.25)
    assert video.transcript.cues.count() == 3
    assert set(Upload.objects.values_list("status", flat=True)) == {UploadStatus.DONE}
    assert "jove_1001.mp4 is video 1001" in page.locator(".messages").inner_text()

    # The player on the page it landed on plays the uploaded file, and seeks.
    page.wait_for_function("document.querySelector('video[data-testid=player]').readyState >= 1")
    page.click("[data-play]")
    page.wait_for_function("document.querySelector('video[data-testid=player]').currentTime > 0.5")
    page.click("[data-play]")
    page.locator(".transcript [data-seek='10.0']").click()
    page.wait_for_function(
        "Math.abs(document.querySelector('video[data-testid=player]').currentTime - 10) < 0.5"
    )
    assert 9.5 <= player_time(page) <= 10.5


def test_a_file_chosen_before_the_page_script_ran_still_names_the_video(
    page: Any, curator: Any, benchmark: Any, video_dir: Path
) -> None:
    """On a slow connection the person may pick the file before upload.js arrives."""
    sign_in(page, "cora", "pw-cora")
    held: list[Any] = []
    page.route("**/upload*.js", lambda route: held.append(route))
    page.goto("/videos/upload/", wait_until="commit")
    page.wait_for_selector("[data-testid=upload-video]", state="attached")
    page.set_input_files("[data-testid=upload-video]", str(video_dir / "jove_1001.mp4"))
    page.wait_for_timeout(200)  # the page's events run with no script to hear them
    assert page.input_value("[data-testid=upload-video-id]") == ""
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("[data-testid=upload-video-id]")).to_have_value("1001")


def test_a_refused_file_shows_the_reason_in_the_page(
    page: Any, curator: Any, benchmark: Any, tmp_path: Path
) -> None:
    fake = tmp_path / "jove_2001.mp4"
    fake.write_text("A lab notebook, renamed.\n" * 100, encoding="utf-8")
    sign_in(page, "cora", "pw-cora")
    page.goto("/videos/upload/")

    page.set_input_files("[data-testid=upload-video]", str(fake))
    page.click("[data-testid=upload-start]")

    error = page.locator("[data-testid=upload-error]")
    error.wait_for(state="visible")
    assert "jove_2001.mp4 is not a video PyAV can decode" in error.inner_text()
    assert page.dialogs == []
    assert not Video.objects.exists()
    assert Upload.objects.get().status == UploadStatus.FAILED


def test_an_upload_cut_off_resumes_after_a_reload_from_the_servers_offset(
    page: Any, curator: Any, benchmark: Any, video_dir: Path, settings: Any
) -> None:
    chunk = 4096
    settings.UPLOAD_CHUNK_BYTES = chunk
    video_file = video_dir / "jove_1001.mp4"
    sent: list[Any] = []
    page.on("request", lambda r: sent.append(r) if r.url.endswith("/chunk") else None)
    let_through = 3

    def network_dies_after_three_chunks(route: Any) -> None:
        if len([r for r in sent if r.method == "PUT"]) <= let_through:
            route.continue_()
        else:
            route.abort()

    sign_in(page, "cora", "pw-cora")
    page.goto("/videos/upload/")
    page.route("**/chunk", network_dies_after_three_chunks)
    page.set_input_files("[data-testid=upload-video]", str(video_file))
    page.click("[data-testid=upload-start]")
    # The page keeps trying the fourth chunk.
    page.wait_for_function(
        "document.querySelector('[data-upload-status]').textContent.includes('trying again')"
    )
    page.unroute("**/chunk")
    assert Upload.objects.get().received_bytes == let_through * chunk

    page.reload()
    assert "jove_1001.mp4" in page.locator("[data-testid=unfinished-uploads]").inner_text()
    before_reload = len(sent)
    page.set_input_files("[data-testid=upload-video]", str(video_file))
    page.click("[data-testid=upload-start]")
    page.wait_for_url(re.compile(r"/videos/\d+/$"), timeout=60_000)

    resumed = [r for r in sent[before_reload:] if r.method == "PUT"]
    assert resumed[0].headers["content-range"].startswith(f"bytes {let_through * chunk}-")
    assert len(resumed) == -(-(video_file.stat().st_size - let_through * chunk) // chunk)
    assert Upload.objects.count() == 1
    with Video.objects.get(video_id="1001").original.open("rb") as stored:
        assert stored.read() == video_file.read_bytes()
