"""The item analysis page of a release split: who may open it, its rows and links, sorting
and filtering, the CSV and JSON downloads, bad parameters, and the release page's link."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from releases.models import Release
from reviews.models import Question
from tests.baselines.conftest import seed_analysis

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(release: Release, tmp_path: Path) -> Release:
    seed_analysis(release, tmp_path)
    return release


def url(release: Release, query: str = "") -> str:
    return reverse("leaderboard:analysis", args=[release.pk, "test"]) + query


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_curator_sees_every_item_linked_to_its_review_page(seeded: Release, curator: Any) -> None:
    response = signed_in(curator).get(url(seeded))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="analysis-row"') == 12
    first = seeded.items.get(split="test", position=0)
    question = Question.objects.get(pk=first.source_id)
    assert reverse("reviews:question", args=[question.uid]) in body
    assert 'data-testid="flag-possible_wrong_key"' in body
    assert "of the better 4 respondents, 3 chose B and 1 the key A" in body
    assert 'class="seg-key"' in body
    assert "style=" not in body


def test_evaluators_are_refused(seeded: Release, evaluator: Any) -> None:
    assert signed_in(evaluator).get(url(seeded)).status_code == 403
    assert signed_in(evaluator).get(url(seeded, "?format=csv")).status_code == 403


def test_a_reviewer_sees_only_the_items_of_their_fields(
    seeded: Release, reviewer: Any, outsider: Any
) -> None:
    categories = [
        json.loads(signed_in(reviewer).get(url(seeded, "?format=json")).content)["items"],
        json.loads(signed_in(outsider).get(url(seeded, "?format=json")).content)["items"],
    ]
    assert {row["category"] for row in categories[0]} == {"Biology"}
    assert {row["category"] for row in categories[1]} == {"Physics"}
    assert 0 < len(categories[0]) < 12


def test_sorting_and_filtering(seeded: Release, curator: Any) -> None:
    client = signed_in(curator)
    rows = json.loads(client.get(url(seeded, "?sort=humans_p&dir=asc&format=json")).content)
    ps = [row["humans"]["p"] for row in rows["items"]]
    assert ps == sorted(ps)
    rows = json.loads(client.get(url(seeded, "?sort=humans_p&dir=desc&format=json")).content)
    assert [row["humans"]["p"] for row in rows["items"]] == sorted(ps, reverse=True)
    flagged = json.loads(client.get(url(seeded, "?flag=possible_wrong_key&format=json")).content)
    assert [row["position"] for row in flagged["items"]] == [0]
    page = client.get(url(seeded, "?flag=answerable_without_video")).content.decode()
    assert page.count('data-testid="analysis-row"') == 1


def test_csv_download_has_a_line_per_shown_item(seeded: Release, curator: Any) -> None:
    response = signed_in(curator).get(url(seeded, "?flag=any&format=csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "svb-1.0.0-test-item-analysis.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows and all(row["flags"] for row in rows)
    first = next(row for row in rows if row["position"] == "0")
    assert (first["humans_n"], first["humans_correct"], first["humans_B"]) == ("6", "3", "3")
    assert "possible_wrong_key" in first["flags"].split(";")


def test_json_download_keeps_the_contract_keys(seeded: Release, curator: Any) -> None:
    response = signed_in(curator).get(url(seeded, "?format=json"))
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert set(data["items"][0]) >= {"uid", "humans", "models", "discrimination", "flags"}
    assert set(data["split"]["kr20"]) == {"humans", "models"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?flag=bogus", "unknown flag 'bogus'"),
        ("?sort=nope", "unknown sort column 'nope'"),
        ("?format=xml", "unknown format 'xml'"),
    ],
)
def test_bad_parameters_are_a_clear_400(
    seeded: Release, curator: Any, query: str, message: str
) -> None:
    response = signed_in(curator).get(url(seeded, query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_split_is_404(release: Release, curator: Any) -> None:
    path = reverse("leaderboard:analysis", args=[release.pk, "dev"])
    assert signed_in(curator).get(path).status_code == 404


def test_the_release_page_links_each_split(release: Release, curator: Any) -> None:
    body = signed_in(curator).get(reverse("releases:detail", args=[release.pk])).content.decode()
    assert 'data-testid="item-analysis-test"' in body
    assert url(release) in body


def test_a_curator_sends_the_flagged_items_back_with_their_analysis(
    seeded: Release, curator: Any
) -> None:
    first = Question.objects.get(pk=seeded.items.get(split="test", position=0).source_id)
    assert first.status == "accepted"
    others = list(Question.objects.exclude(pk=first.pk).values_list("pk", "status"))
    response = signed_in(curator).post(
        reverse("leaderboard:analysis-send-back", args=[seeded.pk, "test"]),
        {"flag": "possible_wrong_key"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?flag=possible_wrong_key")
    first.refresh_from_db()
    assert first.status == "needs_revision"
    comment = first.comments.get()
    assert "Item analysis of svb 1.0.0 (test)" in comment.text
    assert "possible_wrong_key: of the better 4 respondents, 3 chose B" in comment.text
    assert comment.author == curator
    assert list(Question.objects.exclude(pk=first.pk).values_list("pk", "status")) == others


def test_sending_back_a_flag_no_item_carries_changes_nothing(
    seeded: Release, curator: Any, reviewer: Any
) -> None:
    before = list(Question.objects.values_list("pk", "status", "version"))
    path = reverse("leaderboard:analysis-send-back", args=[seeded.pk, "test"])
    client = signed_in(curator)
    response = client.post(path, {"flag": "dead_distractors"}, follow=True)
    assert "Nothing was sent back: no item of this split carries that flag." in (
        response.content.decode()
    )
    response = client.post(path, {"flag": "bogus"}, follow=True)
    assert "Nothing was sent back: unknown flag &#x27;bogus&#x27;" in response.content.decode()
    assert signed_in(reviewer).post(path, {"flag": "any"}).status_code == 403
    assert list(Question.objects.values_list("pk", "status", "version")) == before
    assert not any(q.comments.exists() for q in Question.objects.all())


def test_the_review_page_shows_the_items_analysis(seeded: Release, curator: Any) -> None:
    first = Question.objects.get(pk=seeded.items.get(split="test", position=0).source_id)
    body = signed_in(curator).get(reverse("reviews:question", args=[first.uid])).content.decode()
    assert 'data-testid="item-analysis-panel"' in body
    assert "svb 1.0.0 · test" in body
    assert "3/6 right" in body
    assert "possible_wrong_key: of the better 4 respondents, 3 chose B and 1 the key A" in body
    assert url(seeded) in body


def test_a_reviewer_sees_the_panel_only_once_the_key_is_shown(
    seeded: Release, reviewer: Any
) -> None:
    from reviews.services.decisions import question_solve

    seeded.benchmark.solve_first = True
    seeded.benchmark.save(update_fields=["solve_first"])
    first = Question.objects.get(pk=seeded.items.get(split="test", position=0).source_id)
    assert first.category == "Biology"
    client = signed_in(reviewer)
    page = reverse("reviews:question", args=[first.uid])
    # Before answering, nothing on the page may give the key away.
    assert 'data-testid="item-analysis-panel"' not in client.get(page).content.decode()
    question_solve(question=first, reviewer=reviewer, letter="C")
    body = client.get(page).content.decode()
    assert 'data-testid="item-analysis-panel"' in body
    assert "3/6 right" in body
    assert url(seeded) in body


def test_an_item_nobody_answered_has_no_panel(release: Release, curator: Any) -> None:
    first = Question.objects.get(pk=release.items.get(split="test", position=0).source_id)
    body = signed_in(curator).get(reverse("reviews:question", args=[first.uid])).content.decode()
    assert 'data-testid="item-analysis-panel"' not in body
