"""The production topology, end to end through nginx only.

A reviewer signs in through the login form, opens an item's review page, streams its video
with byte ranges (from S3 through the signed redirect, or from disk by nginx), and accepts
it; a curator freezes a release and downloads it, and the bytes match the ETag. Along the
way: static files come from nginx, the health check passes, the Celery worker makes a
browser copy of an MKV, and every process logs JSON lines.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.factories import make_item
from tests.stack.loopback import LoopbackStack

pytestmark = [pytest.mark.stack, pytest.mark.timeout(300)]

PASSWORDS = {"cora": "cora-stack-pw", "bea": "bea-stack-pw"}
SEED = """
import json, sys
from io import StringIO
from django.core.management import call_command
from reviews.models import Question
from videos.models import Video
folder = sys.argv[1]
quiet = {"stdout": StringIO()}
call_command("add_user", "cora", "--role", "curator", "--password", sys.argv[2], **quiet)
call_command(
    "add_user", "bea", "--role", "reviewer", "--password", sys.argv[3],
    "--discipline", "Biology", **quiet,
)
call_command("import_videos", folder, **quiet)
call_command("import_questions", folder + "/items.jsonl", **quiet)
print(json.dumps({
    "videos": {v.video_id: v.pk for v in Video.objects.all()},
    "questions": [q.uid for q in Question.objects.order_by("pk")],
}))
"""


@pytest.fixture(scope="module")
def seeded(stack: LoopbackStack, video_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("stack-in")
    for name in ("jove_1001.mp4", "1001.vtt", "jove_1002.mkv"):
        shutil.copy(video_dir / name, folder)
    item = make_item(
        video_id="1001",
        question_id="1",
        question="Why is the flask heated between 00:10 and 00:14 after mixing?",
        discipline="Biology",
        video_duration=20,
        timestamp_breakdown=["00:15-00:17: the readout is taken"],
        options={letter: f"Because of reason {letter}" for letter in "ABCDEFGHIJ"},
    )
    (folder / "items.jsonl").write_text(json.dumps(item) + "\n", encoding="utf-8")
    out = stack.python(SEED, str(folder), PASSWORDS["cora"], PASSWORDS["bea"])
    return {"folder": folder, **json.loads(out.strip().splitlines()[-1])}


def sign_in(stack: LoopbackStack, username: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{stack.url}/accounts/login/", timeout=30)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, "the login form has no CSRF token"
    response = session.post(
        f"{stack.url}/accounts/login/",
        data={
            "username": username,
            "password": PASSWORDS[username],
            "csrfmiddlewaretoken": token.group(1),
        },
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    assert "sessionid" in session.cookies
    return session


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line of a process's output, each of which must be a JSON object."""
    parsed = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a log line that is not JSON: {line!r}")
    return parsed


def fetch_range(session: requests.Session, url: str, first: int, last: int) -> requests.Response:
    return session.get(
        url, headers={"Range": f"bytes={first}-{last}"}, allow_redirects=False, timeout=30
    )


def test_a_reviewer_and_a_curator_work_through_nginx(stack: LoopbackStack, seeded: Any) -> None:
    health = requests.get(f"{stack.url}/health/", timeout=30)
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok"
    assert set(health.json()["checks"]) == {"database", "broker", "storage"}

    bea = sign_in(stack, "bea")

    # Static files come from nginx's alias (its 7-day expiry), not from the app.
    login_page = requests.get(f"{stack.url}/accounts/login/", timeout=30).text
    css = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', login_page)
    assert css, "the page links no hashed stylesheet"
    static = requests.get(stack.url + css.group(1), timeout=30)
    assert static.status_code == 200
    assert "max-age=604800" in static.headers["Cache-Control"]
    assert (
        static.content == (stack.static_root / css.group(1).removeprefix("/static/")).read_bytes()
    )

    listing = bea.get(f"{stack.url}/api/questions/?video_id=1001", timeout=30).json()
    [item] = listing["results"]
    review = bea.get(stack.url + item["review_url"], timeout=30)
    assert review.status_code == 200
    src = re.search(r'<video data-testid="player"[^>]*\ssrc="([^"]+)"', review.text)
    assert src, "the review page has no player source"
    media_url = stack.url + src.group(1)
    original = (seeded["folder"] / "jove_1001.mp4").read_bytes()

    # Only a signed-in user who may see the video gets its bytes.
    anonymous = requests.get(media_url, allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/accounts/login/")

    first = fetch_range(bea, media_url, 1000, 5999)
    if stack.media_serving == "s3":
        # The app answers with a signed URL for the site itself; nginx passes it to S3.
        assert first.status_code == 302
        signed = first.headers["Location"]
        assert signed.startswith(f"{stack.url}/sciannot-media/")
        assert "X-Amz-Signature=" in signed or "Signature=" in signed
        first = fetch_range(requests.Session(), signed, 1000, 5999)
        tail = fetch_range(requests.Session(), signed, len(original) - 100, len(original) - 1)
    else:
        assert "X-Accel-Redirect" not in first.headers
        tail = fetch_range(bea, media_url, len(original) - 100, len(original) - 1)
        # The internal location is nginx's alone.
        hidden = requests.get(f"{stack.url}/protected-media/videos/", timeout=30)
        assert hidden.status_code == 404
    assert first.status_code == 206, stack.describe()
    assert first.headers["Content-Range"] == f"bytes 1000-5999/{len(original)}"
    assert first.content == original[1000:6000]
    assert tail.status_code == 206
    assert tail.content == original[-100:]

    version = re.search(r'name="version" value="(\d+)"', review.text)
    assert version
    decided = bea.post(
        f"{stack.url}/questions/{item['uid']}/decide",
        data={"kind": "accept", "version": version.group(1)},
        headers={"X-CSRFToken": bea.cookies["csrftoken"], "Referer": stack.url + "/"},
        allow_redirects=False,
        timeout=30,
    )
    assert decided.status_code in {200, 302}, decided.text[:500]
    after = bea.get(f"{stack.url}/api/questions/?video_id=1001", timeout=30).json()
    assert after["results"][0]["status"] == "accepted"

    frozen = stack.manage("freeze_release", "stack-demo", "--version", "1.0.0")
    assert "1.0.0" in frozen.stdout

    cora = sign_in(stack, "cora")
    url = f"{stack.url}/api/releases/stack-demo/1.0.0/test.jsonl"
    download = cora.get(url, timeout=60)
    assert download.status_code == 200
    etag = download.headers["ETag"]
    assert etag == f'"{hashlib.sha256(download.content).hexdigest()}"'
    assert json.loads(download.content.splitlines()[0])["uid"] == item["uid"]
    again = cora.get(url, headers={"If-None-Match": etag}, timeout=30)
    assert again.status_code == 304

    # Every request was logged by the app as one JSON line, with who made it.
    lines = json_lines(stack.log_text("gunicorn"))
    logged = [
        line
        for line in lines
        if line.get("logger") == "sciannot.request" and line.get("path") == item["review_url"]
    ]
    assert logged, stack.log_text("gunicorn")[-3000:]
    assert logged[0]["method"] == "GET"
    assert logged[0]["status"] == 200
    assert isinstance(logged[0]["duration_ms"], float)
    assert isinstance(logged[0]["user_id"], int)


def test_the_worker_makes_a_browser_copy_into_the_same_storage(
    stack: LoopbackStack, seeded: Any
) -> None:
    cora = sign_in(stack, "cora")
    media_url = f"{stack.url}/videos/{seeded['videos']['1002']}/media/video"

    def copied() -> bool:
        # The worker's task logs are JSON lines too, with the task's name and id.
        return any(
            line.get("task_name") == "videos.tasks.make_playable_copy"
            and line.get("task_id")
            and "succeeded" in line["message"]
            for line in json_lines(stack.log_text("worker"))
        )

    deadline = time.monotonic() + 120
    while not copied():
        assert time.monotonic() < deadline, "no browser copy:\n" + stack.describe()
        time.sleep(0.5)
    response = fetch_range(cora, media_url, 0, 99)
    if stack.media_serving == "s3":
        assert response.status_code == 302
        assert ".mp4?" in response.headers["Location"]
        response = fetch_range(requests.Session(), response.headers["Location"], 0, 99)
    assert response.status_code == 206, stack.describe()
    # An MP4 starts with an ftyp box.
    assert response.content[4:8] == b"ftyp"


@pytest.mark.browser
def test_the_player_seeks_through_the_stack(
    stack: LoopbackStack,
    seeded: Any,
    browser: Any,
) -> None:
    # wait_for_function's string predicates run through eval, which the app's policy forbids;
    # the policy itself is tested in tests/browser/test_csp.py.
    context = browser.new_context(base_url=stack.url, bypass_csp=True)
    page = context.new_page()
    media = []
    page.on(
        "response",
        lambda r: (
            media.append(r.status) if "/media/video" in r.url or "jove_1001" in r.url else None
        ),
    )
    try:
        page.goto("/accounts/login/")
        page.fill("#id_username", "cora")
        page.fill("#id_password", PASSWORDS["cora"])
        page.click("[data-testid=login]")
        page.wait_for_load_state("networkidle")
        page.goto(f"/questions/{seeded['questions'][0]}/")
        player = "document.querySelector('video[data-testid=player]')"
        page.wait_for_function(f"{player}.readyState >= 1")
        page.locator(".chip[data-seek='15.0']").click()
        page.wait_for_function(f"Math.abs({player}.currentTime - 15) < 0.5")
        page.wait_for_function(f"{player}.readyState >= 2")
        # The player fetched byte ranges of the video (through the signed redirect on S3).
        assert 206 in media
    finally:
        context.close()
