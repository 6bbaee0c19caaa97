"""Blind baseline studies: opening one, answering blind and for good, the time limit,
resuming, what an evaluator may reach, and the table."""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from baselines.models import Answer, Participation, Study
from releases.models import Access, Release
from tests.baselines.conftest import open_study

pytestmark = pytest.mark.django_db

LETTERS = "ABCDEFGHIJ"


def signed_in(username: str) -> Client:
    client = Client()
    # Login throttling needs the request a sign-in comes with.
    assert client.login(request=HttpRequest(), username=username, password=f"pw-{username}")
    return client


def current(client: Client, study: Study) -> str:
    page = client.get(f"/baseline/{study.pk}/")
    assert page.status_code == 200
    return page.content.decode()


def position_of(page: str) -> int:
    return int(re.search(r'name="position" value="(\d+)"', page).group(1))  # type: ignore[union-attr]


def test_opening_a_study_prints_where_evaluators_start(
    release: Release, evaluator: Any, evan: Any
) -> None:
    out = open_study("first", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva,evan")
    study = Study.objects.get()
    assert out.strip().splitlines()[-1] == f"http://127.0.0.1:8000/baseline/{study.pk}/"
    assert len(study.items) == 12
    orders = [p.order for p in Participation.objects.order_by("evaluator__username")]
    # Each evaluator gets every item, in an order of their own (stored with its seed).
    assert all(sorted(order) == sorted(study.items) for order in orders)
    assert orders[0] != orders[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--evaluators", "nobody"], "no such user: nobody"),
        (["--evaluators", "bea"], "not an active evaluator"),
        (["--evaluators", "eva", "--split", "val"], "has no split 'val'"),
        (["--evaluators", "eva", "--items", "13"], "sample must be 1 to 12"),
        (["--evaluators", "eva", "--time-limit", "0"], "time limit"),
        (["--evaluators", "eva", "--time-limit", str(2**64)], "time limit must be between"),
        (["--evaluators", "eva", "--seed", str(2**40)], "seed must be between"),
    ],
)
def test_bad_studies_are_refused(
    release: Release, evaluator: Any, reviewer: Any, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        open_study("s", "--release", "svb", "--version", "1.0.0", *args)
    assert not Study.objects.exists()


def test_a_public_release_or_an_evaluator_who_may_download_it_is_refused(
    release: Release, evaluator: Any
) -> None:
    Release.objects.filter(pk=release.pk).update(access=Access.PUBLIC)
    with pytest.raises(CommandError, match="is public"):
        open_study("s", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    Release.objects.filter(pk=release.pk).update(access=Access.NAMED)
    release.readers.add(evaluator)
    with pytest.raises(CommandError, match="eva may download svb"):
        open_study("s", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    assert not Study.objects.exists()


SECRETS = re.compile(
    r"SECRET-|rationale|timestamp_breakdown|\"answer\"|data-answer|correct|accepted"
)


def test_an_evaluator_answers_everything_blind_and_gets_the_table(
    release: Release, evaluator: Any, evan: Any
) -> None:
    open_study("blind", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva,evan")
    study = Study.objects.get()
    eva = signed_in("eva")
    seen = []
    for _ in range(12):
        page = current(eva, study)
        assert not SECRETS.search(page), SECRETS.search(page)
        assert 'data-testid="choice-J"' in page and 'data-testid="submit-answer"' in page
        seen.append(re.search(r"sample (\d+) between", page).group(1))  # type: ignore[union-attr]
        done = eva.post(f"/baseline/{study.pk}/", {"position": position_of(page), "letter": "A"})
        assert done.status_code == 302 and done["Location"] == f"/baseline/{study.pk}/"
        # No right/wrong feedback after answering.
        assert not SECRETS.search(eva.get(done["Location"]).content.decode())
    assert sorted(seen, key=int) == [str(n) for n in range(12)]
    assert 'data-testid="study-done"' in current(eva, study)
    # Answers are final.
    eva.post(f"/baseline/{study.pk}/", {"position": "0", "letter": "B"})
    assert Answer.objects.filter(participation__evaluator=evaluator, letter="B").count() == 0

    # The scan does find secrets where they are: in what a curator downloads.
    export = signed_in_curator().get("/api/releases/svb/1.0.0/test.jsonl")
    assert SECRETS.search(b"".join(export.streaming_content).decode())
    # Everything else an evaluator might call gives nothing away.
    question = release.items.first()
    assert question is not None
    for url in (
        "/api/questions/",
        "/api/releases/svb/1.0.0/test.jsonl",
        "/api/releases/svb/1.0.0/lmms-eval.zip",
        f"/questions/{question.uid}/",
        "/questions/",
        "/releases/",
        f"/releases/{release.pk}/",
        f"/baseline/studies/{study.pk}/",
        "/videos/",
        "/baseline/",
        "/leaderboard/",
        f"/leaderboard/{release.pk}/test/",
        "/api/releases/svb/1.0.0/leaderboard",
    ):
        response = eva.get(url)
        text = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        assert not SECRETS.search(text.decode(errors="replace")), url
        if url.startswith("/api/questions"):
            assert response.status_code == 403 or json.loads(text)["results"] == []

    # The table: keys of the twelve items are A, D, G, J, C, F, I, B, E, H, A, D.
    out = io.StringIO()
    call_command("baseline_report", "blind", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    names = [row["name"] for row in report["rows"]]
    assert names == ["eva", "pooled", "chance"]
    assert report["rows"][0]["overall"] == {
        "correct": 2,
        "total": 12,
        "acc": 16.67,
        "ci95": report["rows"][0]["overall"]["ci95"],
    }
    assert report["rows"][2]["overall"]["acc"] == 10.0
    assert report["krippendorff_alpha"] is None

    # A second evaluator overlaps: agreement can be measured.
    evan_client = signed_in("evan")
    for n in range(12):
        page = current(evan_client, study)
        letter = "A" if n % 2 else "B"
        evan_client.post(
            f"/baseline/{study.pk}/", {"position": position_of(page), "letter": letter}
        )
    out = io.StringIO()
    call_command("baseline_report", "blind", stdout=out)
    table = out.getvalue()
    assert "eva" in table and "evan" in table and "pooled" in table and "chance" in table
    assert "16.67 (2/12)" in table
    assert "Krippendorff's alpha:" in table and "n/a" not in table
    # The curator's page shows progress and the table.
    curator_page = signed_in_curator().get(f"/baseline/studies/{study.pk}/").content.decode()
    assert "12 / 12" in curator_page and "16.67" in curator_page


def signed_in_curator() -> Client:
    from sciannot.accounts.models import User

    user, _ = User.objects.get_or_create(username="cora2", defaults={"role": "curator"})
    client = Client()
    client.force_login(user)
    return client


def test_the_time_limit_is_enforced_by_the_server(release: Release, evaluator: Any) -> None:
    open_study(
        "timed", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva",
        "--time-limit", "30",
    )  # fmt: skip
    study = Study.objects.get()
    eva = signed_in("eva")
    page = current(eva, study)
    assert 'data-seconds-left="' in page
    first = position_of(page)
    # The evaluator took too long: the answer is not counted as their choice.
    Answer.objects.filter(position=first).update(opened_at=timezone.now() - timedelta(seconds=40))
    eva.post(f"/baseline/{study.pk}/", {"position": first, "letter": "A"})
    answer = Answer.objects.get(position=first)
    assert answer.timed_out and answer.letter == "" and not answer.correct
    # An item left open past its limit is closed when the evaluator comes back.
    page = current(eva, study)
    second = position_of(page)
    assert second != first
    Answer.objects.filter(position=second).update(opened_at=timezone.now() - timedelta(minutes=5))
    page = current(eva, study)
    assert position_of(page) not in (first, second)
    assert Answer.objects.get(position=second).timed_out
    # Submitting nothing before the time is up is refused.
    third = position_of(page)
    eva.post(f"/baseline/{study.pk}/", {"position": third})
    assert Answer.objects.get(position=third).answered_at is None


def test_a_closed_tab_resumes_on_the_same_item(release: Release, evaluator: Any) -> None:
    open_study("resume", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    study = Study.objects.get()
    first_tab = signed_in("eva")
    page = current(first_tab, study)
    first_tab.post(f"/baseline/{study.pk}/", {"position": position_of(page), "letter": "C"})
    page = current(first_tab, study)
    question = re.search(r"sample \d+ between", page).group()  # type: ignore[union-attr]
    again = current(signed_in("eva"), study)
    assert question in again and position_of(again) == position_of(page)


def test_only_the_studys_evaluators_reach_it_and_only_while_open(
    release: Release, evaluator: Any, evan: Any, curator: Any, reviewer: Any
) -> None:
    open_study("mine", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    study = Study.objects.get()
    assert signed_in("evan").get(f"/baseline/{study.pk}/").status_code == 404
    for user in (curator, reviewer):
        client = Client()
        client.force_login(user)
        assert client.get(f"/baseline/{study.pk}/").status_code == 403
    assert Client().get(f"/baseline/{study.pk}/").status_code == 302
    client = Client()
    client.force_login(curator)
    client.post(f"/baseline/studies/{study.pk}/close")
    assert signed_in("eva").get(f"/baseline/{study.pk}/").status_code == 404


def test_evaluators_stream_only_their_studys_videos(
    release: Release, evaluator: Any, tmp_path: Path, video_dir: Path
) -> None:
    from videos.models import Video

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder), stdout=io.StringIO())
    video = Video.objects.get(video_id="1001")
    eva = signed_in("eva")
    url = f"/videos/{video.pk}/media/video"
    assert eva.get(url).status_code == 404
    open_study(
        "seen", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva", "--items", "12"
    )
    assert eva.get(url, headers={"Range": "bytes=0-99"}).status_code == 206
    assert eva.get(f"/videos/{video.pk}/").status_code == 403
    Study.objects.update(show_video=False)
    assert eva.get(url).status_code == 404


def test_a_curator_opens_a_study_from_the_page(
    release: Release, evaluator: Any, evan: Any, curator: Any, reviewer: Any
) -> None:
    client = Client()
    client.force_login(curator)
    page = client.get("/baseline/studies/new/").content.decode()
    # Only evaluator accounts are offered.
    assert "evan" in page and "bea" not in page
    form = {
        "name": "page study",
        "release": release.pk,
        "split": "test",
        "evaluators": [evaluator.pk, evan.pk],
        "show_video": "on",
        "time_limit": "90",
        "sample_size": "5",
        "seed": "3",
    }
    Release.objects.filter(pk=release.pk).update(access=Access.PUBLIC)
    refused = client.post("/baseline/studies/new/", form)
    assert refused.status_code == 400 and "is public" in refused.content.decode()
    assert not Study.objects.exists()
    Release.objects.filter(pk=release.pk).update(access=Access.CURATORS)
    done = client.post("/baseline/studies/new/", form)
    study = Study.objects.get()
    assert done["Location"] == f"/baseline/studies/{study.pk}/"
    assert (study.time_limit, study.sample_size, study.show_transcript) == (90, 5, False)
    assert len(study.items) == 5 and study.participants.count() == 2
    shown = client.get(done["Location"]).content.decode()
    assert f"http://testserver/baseline/{study.pk}/" in shown
    outsider = Client()
    outsider.force_login(reviewer)
    assert outsider.post("/baseline/studies/new/", form).status_code == 403
