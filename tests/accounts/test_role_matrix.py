"""The role × URL matrix: every URL pattern of the project, asked by every persona, against
real objects (a video with its file, a Biology question, a frozen release, an open study).

A pattern without an entry here fails `test_every_url_pattern_has_an_entry`, so a new page
or endpoint cannot ship without its access rules being written down and checked.

Outcomes: a status code, `302 <path>` (that exact redirect), `login` (302 to the sign-in
page with `next`) or `admin-login` (302 to the admin's sign-in page).
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.authtoken.models import Token

from baselines.models import EvalCall, EvalItem, Evaluation, ModelRun, Study
from drafting.models import DraftJob, DraftStage, JobStatus, LLMCall
from releases.models import Release
from reviews.models import Question
from sciannot.accounts.models import User
from sciannot.accounts.services import invitation_create, user_upsert
from tests.baselines.conftest import open_study
from tests.factories import make_item
from tests.releases.conftest import freeze
from videos.models import Video
from videos.uploads.services import upload_create

PERSONAS = (
    "anonymous",
    "curator",
    "reviewer_in",  # a reviewer of Biology: the item's discipline
    "reviewer_out",  # a reviewer of Physics
    "evaluator_in",  # an evaluator in an open study over the item (video shown)
    "evaluator_none",  # an evaluator in no study
    "deactivated",  # a curator deactivated while signed in, who still sends their old token
    "token",  # a curator's API token, no session
)


@dataclass(frozen=True)
class Probe:
    path: str
    outcomes: dict[str, str]
    method: str = "GET"
    data: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def page(
    path: str,
    curator: str,
    reviewer_in: str,
    reviewer_out: str,
    evaluator_in: str,
    evaluator_none: str,
    *,
    method: str = "GET",
    data: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Probe:
    """A page: visitors without a session (anonymous, deactivated, a bare token) sign in first."""
    outcomes = {
        "anonymous": "login",
        "curator": curator,
        "reviewer_in": reviewer_in,
        "reviewer_out": reviewer_out,
        "evaluator_in": evaluator_in,
        "evaluator_none": evaluator_none,
        "deactivated": "login",
        "token": "login",
    }
    return Probe(path, outcomes, method, data or {}, headers or {})


def curators_page(path: str, *, ok: str = "200", **options: Any) -> Probe:
    return page(path, ok, "403", "403", "403", "403", **options)


def api(
    path: str,
    curator: str,
    reviewer_in: str,
    reviewer_out: str,
    evaluator_in: str,
    evaluator_none: str,
    *,
    method: str = "GET",
    data: dict[str, Any] | None = None,
) -> Probe:
    """An API endpoint: no credentials or a dead account's token get 401; the token is the
    curator's."""
    outcomes = {
        "anonymous": "401",
        "curator": curator,
        "reviewer_in": reviewer_in,
        "reviewer_out": reviewer_out,
        "evaluator_in": evaluator_in,
        "evaluator_none": evaluator_none,
        "deactivated": "401",
        "token": curator,
    }
    return Probe(path, outcomes, method, data or {})


def public(path: str, outcome: str, *, method: str = "GET", **exceptions: str) -> Probe:
    return Probe(path, {persona: exceptions.get(persona, outcome) for persona in PERSONAS}, method)


def signed_in_only(path: str) -> Probe:
    """Any signed-in person, whatever their role."""
    return page(path, "200", "200", "200", "200", "200")


ADMIN = dict.fromkeys(PERSONAS, "admin-login") | {"curator": "200"}

VIDEO = "/videos/{video}"
QUESTION = "/questions/{uid}"
RELEASE_API = "/api/releases/svb/1.0.0"
BOARD = "/leaderboard/{release}/test"

MATRIX: dict[str, list[Probe]] = {
    "home": [
        page("/", "302 /videos/", "302 /questions/", "302 /questions/", *["302 /baseline/"] * 2)
    ],
    # Videos: reviewers see their fields; evaluators only stream their studies' videos.
    "videos:list": [page("/videos/", "200", "200", "200", "403", "403")],
    "videos:detail": [page(VIDEO + "/", "200", "200", "404", "403", "403")],
    # Uploads: curators only, each their own (the uploads below are the curator's). The chunk
    # is sent at the wrong offset and nothing has arrived to finish, so the curator's answers
    # are the refusals that say so.
    "videos:upload": [curators_page("/videos/upload/")],
    "videos:upload-create": [curators_page("/videos/uploads/", ok="400", method="POST")],
    "videos:upload-status": [curators_page("/videos/uploads/{upload}")],
    "videos:upload-chunk": [
        curators_page(
            "/videos/uploads/{upload}/chunk",
            ok="409",
            method="PUT",
            headers={"Content-Range": "bytes 5-5/2000"},
        )
    ],
    "videos:upload-finish": [
        curators_page("/videos/uploads/{upload}/finish", ok="400", method="POST")
    ],
    "videos:upload-cancel": [
        curators_page(
            "/videos/uploads/{spare_upload}/cancel", ok="302 /videos/upload/", method="POST"
        )
    ],
    "videos:media": [
        page(
            VIDEO + "/media/video",
            "206",
            "206",
            "404",
            "206",
            "404",
            headers={"Range": "bytes=0-99"},
        ),
        page(VIDEO + "/media/poster", "200", "200", "404", "200", "404"),
        page(VIDEO + "/media/playable", "404", "404", "404", "404", "404"),
    ],
    # Questions and review.
    "reviews:list": [page("/questions/", "200", "200", "200", "403", "403")],
    "reviews:next": [page("/questions/next/", *["302 /questions/"] * 3, "403", "403")],
    "reviews:adjudication": [curators_page("/questions/adjudication/")],
    "reviews:bulk": [curators_page("/questions/bulk/", ok="302 /questions/", method="POST")],
    "reviews:dashboard": [curators_page("/questions/dashboard/")],
    "reviews:question": [page(QUESTION + "/", "200", "200", "404", "403", "403")],
    "reviews:decide": [
        page(QUESTION + "/decide", "400", "400", "404", "403", "403", method="POST")
    ],
    "reviews:edit": [page(QUESTION + "/edit", "200", "200", "404", "403", "403")],
    "reviews:comment": [
        page(QUESTION + "/comment", "400", "400", "404", "403", "403", method="POST")
    ],
    "reviews:solve": [page(QUESTION + "/solve", "400", "400", "404", "403", "403", method="POST")],
    "reviews:exemplar": [
        curators_page(
            QUESTION + "/exemplar",
            ok="302 /questions/{uid}/",
            method="POST",
            data={"exemplar": "0"},
        )
    ],
    # Without the version it was opened at, the curator's reopen is refused as stale.
    "reviews:reopen": [curators_page(QUESTION + "/reopen", ok="409", method="POST")],
    "reviews:restore": [
        page(QUESTION + "/restore/99", "400", "400", "404", "403", "403", method="POST")
    ],
    # Drafting: curators only.
    "drafting:new": [curators_page("/drafting/new/?video={video}")],
    "drafting:jobs": [curators_page("/drafting/jobs/")],
    "drafting:job": [curators_page("/drafting/jobs/{job}/")],
    "drafting:cancel": [
        curators_page("/drafting/jobs/{job}/cancel", ok="302 /drafting/jobs/{job}/", method="POST")
    ],
    "drafting:call": [curators_page("/drafting/calls/{call}/")],
    # Releases: curators only; downloads through the API below.
    "releases:list": [curators_page("/releases/")],
    "releases:new": [curators_page("/releases/new/")],
    "releases:rebalance": [curators_page("/releases/rebalance", ok="400", method="POST")],
    "releases:detail": [curators_page("/releases/{release}/")],
    "releases:access": [
        curators_page("/releases/{release}/access", ok="302 /releases/{release}/", method="POST")
    ],
    "releases:deprecate": [
        curators_page("/releases/{release}/deprecate", ok="302 /releases/{release}/", method="POST")
    ],
    # Baselines: evaluators answer their own open studies; curators run them.
    "baselines:home": [page("/baseline/", "200", "403", "403", "200", "200")],
    "baselines:answer": [page("/baseline/{study}/", "403", "403", "403", "200", "404")],
    "baselines:new": [curators_page("/baseline/studies/new/")],
    "baselines:study": [curators_page("/baseline/studies/{study}/")],
    "baselines:close": [
        curators_page(
            "/baseline/studies/{study}/close", ok="302 /baseline/studies/{study}/", method="POST"
        )
    ],
    "leaderboard:index": [curators_page("/leaderboard/")],
    "leaderboard:board": [
        curators_page(BOARD + "/"),
        curators_page(BOARD + "/?format=csv"),
    ],
    # Item analysis: curators and reviewers (a reviewer sees the rows of their fields).
    "leaderboard:analysis": [
        page(BOARD + "/analysis/", "200", "200", "200", "403", "403"),
        page(BOARD + "/analysis/?format=json", "200", "200", "200", "403", "403"),
    ],
    "leaderboard:analysis-send-back": [
        curators_page(
            BOARD + "/analysis/send-back",
            ok="302 " + BOARD + "/analysis/",
            method="POST",
        )
    ],
    "leaderboard:import": [
        curators_page(BOARD + "/import", ok="302 " + BOARD + "/", method="POST")
    ],
    # Model evaluation runs: curators only.
    "leaderboard:evaluate": [curators_page(BOARD + "/evaluate")],
    "leaderboard:evaluation": [curators_page("/leaderboard/evaluations/{evaluation}/")],
    "leaderboard:evaluation_cancel": [
        curators_page(
            "/leaderboard/evaluations/{evaluation}/cancel",
            ok="302 /leaderboard/evaluations/{evaluation}/",
            method="POST",
        )
    ],
    "leaderboard:evaluation_call": [
        curators_page("/leaderboard/evaluations/{evaluation}/calls/{eval_call}/")
    ],
    "leaderboard:remove": [
        curators_page(BOARD + "/runs/{run}/remove", ok="302 " + BOARD + "/", method="POST")
    ],
    # The REST API and release downloads (the release is for curators only).
    "api:predictions": [
        api(RELEASE_API + "/predictions", "400", "403", "403", "403", "403", method="POST")
    ],
    "api:leaderboard": [api(RELEASE_API + "/leaderboard", "200", "403", "403", "403", "403")],
    "api:release-download": [
        api(RELEASE_API + "/test.jsonl", "200", "404", "404", "404", "404"),
        api(RELEASE_API + "/test.json", "200", "404", "404", "404", "404"),
        api(RELEASE_API + "/manifest.json", "200", "404", "404", "404", "404"),
        api(RELEASE_API + "/test.tsv", "200", "404", "404", "404", "404"),
        api(RELEASE_API + "/val.jsonl", "404", "404", "404", "404", "404"),
    ],
    "api:questions": [api("/api/questions/", "200", "200", "200", "403", "403")],
    # The schema documents the API for anyone; a dead account's token is still refused.
    "api:schema": [public("/api/schema/", "200", deactivated="401")],
    # Its readable reference, for the same audience.
    "api:docs": [public("/api/docs/", "200", deactivated="401")],
    "api:redoc": [public("/api/redoc/", "200", deactivated="401")],
    # Accounts.
    "accounts:invitations": [curators_page("/accounts/invitations/")],
    "accounts:invitation-revoke": [
        curators_page(
            "/accounts/invitations/{revocable}/revoke",
            ok="302 /accounts/invitations/",
            method="POST",
        )
    ],
    "accounts:invite": [public("/accounts/invite/{invite_token}/", "200")],
    "accounts:users": [curators_page("/accounts/users/")],
    "accounts:user": [curators_page("/accounts/users/{spare}/")],
    "accounts:user-active": [
        curators_page(
            "/accounts/users/{spare}/active",
            ok="302 /accounts/users/",
            method="POST",
            data={"active": "0"},
        )
    ],
    "accounts:token": [signed_in_only("/accounts/token/")],
    "login": [public("/accounts/login/", "200")],
    "logout": [public("/accounts/logout/", "302 /accounts/login/", method="POST")],
    "password_change": [signed_in_only("/accounts/password_change/")],
    "password_change_done": [signed_in_only("/accounts/password_change/done/")],
    "password_reset": [public("/accounts/password_reset/", "200")],
    "password_reset_done": [public("/accounts/password_reset/done/", "200")],
    "password_reset_confirm": [public("/accounts/reset/MQ/not-a-token/", "200")],
    "password_reset_complete": [public("/accounts/reset/done/", "200")],
    # The admin: its index and one list stand for the rest of it.
    "admin:index": [Probe("/admin/", ADMIN)],
    "admin:reviews_question_changelist": [Probe("/admin/reviews/question/", ADMIN)],
}


# --- Every pattern has an entry ---------------------------------------------------------------


def _patterns(patterns: list[Any], route: str = "", namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _patterns(pattern.url_patterns, route + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                yield route + str(pattern.pattern)


def project_patterns() -> list[str]:
    """Every URL pattern by its name (or its route when unnamed), the admin's internals left
    out: its index and one list stand for it."""
    keep = {"admin:index", "admin:reviews_question_changelist"}
    return [
        key
        for key in _patterns(get_resolver().url_patterns)
        if key in keep or not (key.startswith("admin:") or key.startswith("admin/"))
    ]


def test_every_url_pattern_has_an_entry() -> None:
    patterns = project_patterns()
    missing = [key for key in patterns if key not in MATRIX]
    assert not missing, f"URL patterns without an entry in the role matrix: {missing}"
    stale = [key for key in MATRIX if key not in patterns]
    assert not stale, f"matrix entries for URL patterns that no longer exist: {stale}"
    for key, probes in MATRIX.items():
        assert probes, key
        for probe in probes:
            assert set(probe.outcomes) == set(PERSONAS), key


# --- The world the probes run against -----------------------------------------------------------


@pytest.fixture
def world(
    benchmark: Any,
    tmp_path: Path,
    video_dir: Path,
    curator: Any,
    reviewer: Any,
    outsider: Any,
    evaluator: Any,
) -> dict[str, Any]:
    # A curator as `add_user` and invitations make one: the admin is theirs too.
    user_upsert(username=curator.username, role="curator", password=None)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder), stdout=io.StringIO())
    video = Video.objects.get(video_id="1001")
    Video.objects.filter(pk=video.pk).update(discipline="Biology", category="Biology")
    item = make_item(
        video_id="1001",
        question="What is heated between 00:10 and 00:14?",
        discipline="Biology",
        video_duration=20.0,
        timestamp_breakdown=["00:10-00:14: the flask is heated"],
    )
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps(item) + "\n", encoding="utf-8")
    call_command("import_questions", str(items), "--status", "accepted", stdout=io.StringIO())
    question = Question.objects.get()
    freeze("svb", "--version", "1.0.0")
    release = Release.objects.get()
    open_study("matrix", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    study = Study.objects.get()
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text(json.dumps({"uid": question.uid, "prediction": "A"}) + "\n")
    call_command(
        "import_predictions",
        "model-x",
        str(predictions),
        "--release",
        "svb",
        "--version",
        "1.0.0",
        stdout=io.StringIO(),
    )
    # A drafting job with one recorded call, as a worker leaves them.
    job = DraftJob.objects.create(
        video=video, created_by=curator, provider="openai", model="m", status=JobStatus.RUNNING
    )
    stage = DraftStage.objects.create(job=job, name="generate", order=1)
    call = LLMCall.objects.create(
        job=job,
        stage=stage,
        key="generate:0",
        provider="openai",
        model="m",
        prompt_name="generator",
        prompt_version="v1",
        prompt_hash="0" * 64,
        status="ok",
    )
    # A model evaluation run that has ended, with its one recorded call.
    evaluation = Evaluation.objects.create(
        release=release,
        split="test",
        model="model-y",
        name="model-y",
        provider="openai",
        max_calls=2,
        status="failed",
        reason="the provider refused",
        created_by=curator,
    )
    work = EvalItem.objects.create(
        evaluation=evaluation,
        item=release.items.get(),
        position=0,
        video_id="1001",
        prompt="Question: …",
        status="failed",
    )
    eval_call = EvalCall.objects.create(
        evaluation=evaluation, work=work, provider="openai", model="model-y", status="failed"
    )
    User.objects.create_user(username="evan", password="pw-evan", role="evaluator")
    spare = User.objects.create_user(
        username="spare", password="pw-spare", role="reviewer", disciplines=["Medicine"]
    )
    dora, _ = user_upsert(username="dora", role="curator", password="pw-dora")
    _, invite_token = invitation_create(
        email="new@lab.example", role="evaluator", invited_by=curator
    )
    revocable, _ = invitation_create(
        email="other@lab.example", role="evaluator", invited_by=curator
    )
    upload, spare_upload = (
        upload_create(
            user=curator,
            benchmark=video.benchmark,
            kind="video",
            name=f"jove_{video_id}.mp4",
            size=2000,
            video_id=video_id,
        )
        for video_id in ("2001", "2002")
    )
    return {
        "upload": upload.pk,
        "spare_upload": spare_upload.pk,
        "video": video.pk,
        "uid": question.uid,
        "question_text": question.text,
        "release": release.pk,
        "study": study.pk,
        "job": job.pk,
        "call": call.pk,
        "run": ModelRun.objects.get().pk,
        "evaluation": evaluation.pk,
        "eval_call": eval_call.pk,
        "spare": spare.pk,
        "invite_token": invite_token,
        "revocable": revocable.pk,
        "curator_token": Token.objects.create(user=curator).key,
        "dora": dora,
        "dora_token": Token.objects.create(user=dora).key,
    }


def client_for(persona: str, world: dict[str, Any]) -> Client:
    """A fresh client per request, so a sign-out or a state a view keeps in the session never
    leaks from one probe into the next."""
    usernames = {
        "curator": "cora",
        "reviewer_in": "bea",
        "reviewer_out": "phil",
        "evaluator_in": "eva",
        "evaluator_none": "evan",
    }
    if persona == "anonymous":
        return Client()
    if persona == "token":
        return Client(headers={"Authorization": f"Token {world['curator_token']}"})
    if persona == "deactivated":
        # Signed in, then switched off (as from the admin): the session and the token stay.
        client = Client(headers={"Authorization": f"Token {world['dora_token']}"})
        client.force_login(world["dora"])
        User.objects.filter(pk=world["dora"].pk).update(is_active=False)
        return client
    client = Client()
    client.force_login(User.objects.get(username=usernames[persona]))
    return client


def outcome_of(response: Any) -> str:
    if response.status_code != 302:
        return str(response.status_code)
    location = response["Location"]
    if location.startswith("/accounts/login/?next="):
        return "login"
    if location.startswith("/admin/login/?next="):
        return "admin-login"
    return f"302 {location}"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_its_access(persona: str, world: dict[str, Any]) -> None:
    wrong = []
    for key, probes in MATRIX.items():
        for probe in probes:
            path = probe.path.format(**world)
            assert resolve(path.split("?")[0]).view_name == key or key.startswith("admin:"), path
            client = client_for(persona, world)
            if probe.method == "POST":
                response = client.post(path, probe.data, headers=probe.headers)
            elif probe.method == "PUT":
                response = client.put(
                    path, b"x", content_type="application/octet-stream", headers=probe.headers
                )
            else:
                response = client.get(path, headers=probe.headers)
            expected = probe.outcomes[persona].format(**world)
            got = outcome_of(response)
            if got != expected:
                wrong.append(f"{probe.method} {path}: expected {expected}, got {got}")
            if persona == "reviewer_out" and response.status_code == 200 and not response.streaming:
                # Nothing an outsider can open shows the item, even in a list.
                body = response.content.decode(errors="replace")
                if world["uid"] in body or world["question_text"] in body:
                    wrong.append(f"{probe.method} {path}: shows the Biology item")
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)
