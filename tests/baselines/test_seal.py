"""The blind-study seal: no path shows an open study's evaluator a key of its questions.

Every key-revealing path is asked as three people: an evaluator of the open study `blind`,
an evaluator of the closed study `past`, and an evaluator of no study. All three were then
made curators behind the services' back (as a database edit, or an older version, could):
the seal holds whatever the role, and only the first is refused, with the study named.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from baselines.models import Study
from baselines.services import StudyInvalid, study_close, study_open
from drafting.models import Draft, DraftJob
from releases.access import AccessRefused, AccessSealed, release_set_access
from releases.models import Access, Release
from reviews.models import Comment, Question, QuestionStatus
from sciannot.accounts.models import Role, User
from sciannot.seal import Sealed, sealed_questions
from tests.baselines.conftest import open_study
from tests.releases.conftest import freeze

pytestmark = pytest.mark.django_db

PERSONAS = ["open", "closed", "none"]
USERNAMES = {"open": "eo", "closed": "ec", "none": "en"}
SECRET = "SECRET-RATIONALE-"


@pytest.fixture
def world(release: Release) -> dict[str, Any]:
    # The same questions in another release, frozen before any study.
    freeze("svb-copy", "--version", "1.0.0")
    people = {
        persona: User.objects.create_user(username=name, password="pw", role=Role.EVALUATOR)
        for persona, name in USERNAMES.items()
    }
    open_study("past", "--release", "svb", "--version", "1.0.0", "--evaluators", "ec")
    study_close(Study.objects.get(name="past"))
    open_study("blind", "--release", "svb", "--version", "1.0.0", "--evaluators", "eo")
    question = Question.objects.order_by("pk").first()
    assert question is not None
    return {
        "people": people,
        "release": release,
        "copy": Release.objects.get(name="svb-copy"),
        "question": question,
        "study": Study.objects.get(name="blind"),
    }


@pytest.fixture
def promoted(world: dict[str, Any]) -> dict[str, Any]:
    User.objects.filter(username__in=USERNAMES.values()).update(
        role=Role.CURATOR, is_staff=True, is_superuser=True
    )
    question = world["question"]
    # One sealed item waits for adjudication, and one drafting job made it.
    other = Question.objects.exclude(pk=question.pk).order_by("pk").first()
    assert other is not None
    Question.objects.filter(pk=other.pk).update(status=QuestionStatus.ADJUDICATION)
    job = DraftJob.objects.create(video=question.video, provider="openai", model="m")
    Draft.objects.create(job=job, index=0, question=question)
    return {**world, "job": job}


def key_paths(w: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, path) of every route that shows a key of the sealed questions."""
    q, release, copy = w["question"], w["release"], w["copy"]
    downloads = [
        f"/api/releases/svb/1.0.0/{name}"
        for name in (
            "test.jsonl",
            "test.json",
            "test.tsv",
            "lmms-eval.zip",
            "README.md",
            "manifest.json",
            "manifest.md",
            "changelog.json",
            "changelog.md",
        )
    ]
    return [
        *[("GET", path) for path in downloads],
        # Another release carrying the same questions.
        ("GET", "/api/releases/svb-copy/1.0.0/test.jsonl"),
        ("GET", f"/releases/{release.pk}/"),
        ("GET", f"/releases/{copy.pk}/"),
        ("GET", f"/questions/{q.uid}/"),
        ("GET", f"/questions/{q.uid}/edit"),
        ("GET", "/api/questions/"),
        ("GET", f"/api/questions/?video_id={q.video.video_id}"),
        ("GET", f"/videos/{q.video_id}/"),
        ("GET", "/questions/adjudication/"),
        ("GET", f"/drafting/jobs/{w['job'].pk}/"),
        ("GET", "/admin/"),
        ("GET", f"/admin/reviews/question/{q.pk}/change/"),
        ("GET", f"/admin/releases/release/{copy.pk}/change/"),
        ("POST", f"/questions/{q.uid}/comment"),
        ("POST", "/releases/new/"),
    ]


POSTS = {
    "comment": {"text": "a note", "at": ""},
    "new/": {
        "name": "svb-next",
        "version": "1.0.0",
        "access": "curators",
        "split": "test",
        "seed": "0",
        "keep_videos_together": "on",
        "videos": "",
        "stratify": "",
        "action": "check",
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_key_path_is_sealed_for_the_open_study_only(
    persona: str, promoted: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(User.objects.get(username=USERNAMES[persona]))
    wrong = []
    for method, path in key_paths(promoted):
        if method == "POST":
            data = next(v for k, v in POSTS.items() if path.endswith(k))
            response = client.post(path, data)
        else:
            response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        if persona == "open":
            if response.status_code != 403 or "blind" not in text or SECRET in text:
                wrong.append(f"{method} {path}: {response.status_code} {text[:200]}")
            if path.startswith("/api/") and response.json()["studies"] != ["blind"]:
                wrong.append(f"{method} {path}: no JSON naming the study")
        elif response.status_code not in (200, 302):
            wrong.append(f"{method} {path}: {response.status_code} {text[:200]}")
    assert not wrong, "\n".join(wrong)
    comments = Comment.objects.filter(author__username=USERNAMES[persona]).count()
    assert comments == (0 if persona == "open" else 1)


def test_the_refusal_is_a_readable_page_naming_the_study(promoted: dict[str, Any]) -> None:
    client = Client()
    client.force_login(promoted["people"]["open"])
    page = client.get(f"/questions/{promoted['question'].uid}/")
    assert page.status_code == 403
    assert b'data-testid="forbidden-reason"' in page.content
    assert b"the open blind study blind" in page.content


def test_sealed_questions_follow_the_question_not_the_release(world: dict[str, Any]) -> None:
    sealed = sealed_questions(world["people"]["open"])
    released = set(world["release"].items.values_list("source_id", flat=True))
    assert set(sealed) == released and all(v == ["blind"] for v in sealed.values())
    assert sealed_questions(world["people"]["closed"]) == {}
    assert sealed_questions(world["people"]["none"]) == {}
    study_close(world["study"])
    assert sealed_questions(world["people"]["open"]) == {}


def test_a_sampled_study_seals_only_its_sample(world: dict[str, Any]) -> None:
    sam = User.objects.create_user(username="sam", password="pw", role=Role.EVALUATOR)
    study = study_open(
        benchmark=world["release"].benchmark,
        name="sampled",
        release=world["release"],
        evaluators=[sam],
        sample_size=3,
        seed=7,
    )
    sources = set(
        world["release"].items.filter(pk__in=study.items).values_list("source_id", flat=True)
    )
    assert set(sealed_questions(sam)) == sources and len(sources) == 3


# Reproduction 1: a public (or named) release of the same questions handed out the keys.


def test_freezing_the_same_questions_public_is_refused_while_the_study_is_open(
    world: dict[str, Any],
) -> None:
    for name, version in (("svb-public", "1.0.0"), ("svb", "2.0.0")):
        with pytest.raises(CommandError, match="open blind study blind"):
            freeze(name, "--version", version, "--access", "public")
        assert not Release.objects.filter(name=name, version=version).exists()
    # Curators-only is fine; a closed study lifts the seal.
    freeze("svb", "--version", "2.0.0")
    study_close(world["study"])
    freeze("svb-public", "--version", "1.0.0", "--access", "public")
    assert Release.objects.get(name="svb-public").access == Access.PUBLIC


def test_freezing_public_from_the_page_is_refused_naming_the_study(
    world: dict[str, Any], curator: Any
) -> None:
    client = Client()
    client.force_login(curator)
    response = client.post(
        "/releases/new/", {**POSTS["new/"], "access": "public", "action": "freeze"}
    )
    assert response.status_code == 403 and b"blind" in response.content
    assert not Release.objects.filter(name="svb-next").exists()


def test_another_release_of_the_same_questions_cannot_reach_the_evaluator(
    world: dict[str, Any], curator: Any
) -> None:
    copy, people = world["copy"], world["people"]
    with pytest.raises(AccessSealed, match=r"svb-copy 1\.0\.0 is under the open blind study blind"):
        release_set_access(copy, Access.PUBLIC)
    with pytest.raises(AccessRefused, match="eo is answering svb-copy blind in the open study"):
        release_set_access(copy, Access.NAMED, [people["closed"], people["open"]])
    assert Release.objects.get(pk=copy.pk).access == Access.CURATORS
    release_set_access(copy, Access.NAMED, [people["closed"], people["none"]])
    client = Client()
    client.force_login(curator)
    page = client.post(f"/releases/{copy.pk}/access", {"access": "public"}, follow=True)
    assert "Access unchanged: svb-copy 1.0.0 is under the open blind study blind" in (
        page.content.decode()
    )
    # The evaluator downloads nothing, even through a token.
    token = token_for(people["open"])
    got = Client().get(
        "/api/releases/svb-copy/1.0.0/test.jsonl", headers={"Authorization": f"Token {token}"}
    )
    assert got.status_code == 404
    study_close(world["study"])
    release_set_access(copy, Access.PUBLIC)


def token_for(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=user).key


def test_a_study_is_not_opened_for_someone_who_can_download_its_keys(
    world: dict[str, Any],
) -> None:
    copy, none = world["copy"], world["people"]["none"]
    release_set_access(copy, Access.NAMED, [none])
    args = {"benchmark": copy.benchmark, "release": world["release"], "evaluators": [none]}
    with pytest.raises(StudyInvalid, match=r"en may download svb-copy 1\.0\.0, keys included"):
        study_open(name="again", **args)
    study_close(world["study"])
    release_set_access(copy, Access.PUBLIC)
    with pytest.raises(StudyInvalid, match=r"svb-copy 1\.0\.0, which holds questions of"):
        study_open(name="again", **args)
    assert not Study.objects.filter(name="again").exists()


# Reproduction 2: making the evaluator a reviewer showed the keys, then answering went on.


def test_an_open_studys_evaluator_keeps_the_evaluator_role(
    world: dict[str, Any], curator: Any
) -> None:
    # A curator as `add_user` makes one: the admin is theirs too.
    User.objects.filter(pk=curator.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(curator)
    eo, ec = world["people"]["open"], world["people"]["closed"]
    change = {"role": "reviewer", "disciplines": ["Biology"]}
    refused = client.post(f"/accounts/users/{eo.pk}/", change)
    assert refused.status_code == 403 and b"the open blind study blind" in refused.content
    assert client.post(f"/accounts/users/{eo.pk}/", {"role": "curator"}).status_code == 403
    eo.refresh_from_db()
    assert (eo.role, eo.disciplines, eo.is_staff) == (Role.EVALUATOR, [], False)
    with pytest.raises(CommandError, match="open blind study blind"):
        call_command("add_user", "eo", "--role", "reviewer", "--discipline", "Biology")
    with pytest.raises(CommandError, match="open blind study blind"):
        call_command("add_user", "eo", "--role", "evaluator", "--discipline", "Biology")
    call_command("add_user", "eo", "--role", "evaluator", stdout=io.StringIO())
    admin_change = client.post(
        f"/admin/accounts/user/{eo.pk}/change/",
        {
            "username": "eo",
            "role": "curator",
            "disciplines": "[]",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert admin_change.status_code == 403 and b"blind" in admin_change.content
    assert User.objects.get(pk=eo.pk).role == Role.EVALUATOR
    # Answering goes on, and the evaluator of a closed study may change role.
    answering = Client()
    answering.force_login(eo)
    assert answering.get(f"/baseline/{world['study'].pk}/").status_code == 200
    assert client.post(f"/accounts/users/{ec.pk}/", change).status_code == 302
    assert User.objects.get(pk=ec.pk).role == Role.REVIEWER


def test_the_seal_error_is_a_permission_refusal_naming_the_studies() -> None:
    error = Sealed("sealed", ["b", "a", "a"])
    assert error.studies == ["a", "b"] and str(error) == "sealed"
