"""Evening out the answer letters before a freeze: the proposal, applying it, and what a
re-lettering keeps (options, key, accepts) and changes (letters, version, a revision)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from releases.models import Release
from releases.rebalance import (
    REVERSE,
    SWAP,
    RebalanceInvalid,
    how_it_moves,
    numbers_in_order,
    propose,
    rebalance_apply,
)
from reviews.models import DecisionKind, Question, QuestionStatus, Revision
from reviews.selectors import review_queue
from reviews.services.decisions import accepts_at_current_version, question_decide
from reviews.services.edits import edit_from_question, question_edit
from tests.factories import make_item
from tests.releases.conftest import freeze
from tests.releases.test_pages import FORM

LETTERS = "ABCDEFGHIJ"
NUMBERS = ["5 N", "10 N", "15 N", "20 N", "25 N", "30 N", "35 N", "40 N", "45 N", "50 N"]


def words(n: int) -> dict[str, str]:
    return {
        letter: f"step {n}: the {word} is changed"
        for letter, word in zip(
            LETTERS,
            [
                "buffer",
                "temperature",
                "pressure",
                "solvent",
                "catalyst",
                "stirring",
                "light",
                "pH",
                "timing",
                "volume",
            ],
            strict=True,
        )
    }


def item(n: int, answer: str, **extra: Any) -> dict[str, Any]:
    return {
        "uid": f"u{n:04d}",
        "version": 1,
        "video_id": "1",
        "question_id": str(n),
        "text": f"Why is step {n} done?",
        "rationale": "",
        "answer": answer,
        "question_type": "Conceptual Reasoning",
        "options": words(n),
        **extra,
    }


def quantitative(n: int, answer: str) -> dict[str, Any]:
    return item(
        n,
        answer,
        question_type="Quantitative Reasoning",
        options=dict(zip(LETTERS, NUMBERS, strict=True)),
    )


def test_all_keys_under_one_letter_are_spread_evenly_with_the_fewest_moves() -> None:
    items = [item(n, "A") for n in range(40)]
    proposal = propose(items)
    assert proposal.counts_before == {"A": 40, **dict.fromkeys(LETTERS[1:], 0)}
    assert proposal.counts_after == dict.fromkeys(LETTERS, 4)
    # 36 keys must leave A; none moves twice.
    assert len(proposal.moves) == 36
    assert len({move.uid for move in proposal.moves}) == 36
    assert all(move.before == "A" and move.how == SWAP for move in proposal.moves)
    assert proposal.p_before < 1e-30
    assert proposal.p_after == pytest.approx(1.0)
    # The same items give the same proposal.
    assert propose(list(reversed(items))).moves == proposal.moves


def test_an_even_spread_needs_no_moves() -> None:
    items = [item(n, LETTERS[n % 10]) for n in range(23)]
    proposal = propose(items)
    assert proposal.moves == []
    assert proposal.counts_after == proposal.counts_before


def test_numbers_in_order_stay_in_order_so_such_items_can_only_be_reversed() -> None:
    assert numbers_in_order(dict(zip(LETTERS, NUMBERS, strict=True)))
    assert numbers_in_order(dict(zip(LETTERS, reversed(NUMBERS), strict=True)))
    assert numbers_in_order({letter: f"0,{n + 1:02d} mL" for n, letter in enumerate(LETTERS)})
    shuffled = dict(zip(LETTERS, NUMBERS[1:] + NUMBERS[:1], strict=True))
    assert not numbers_in_order(shuffled)
    assert not numbers_in_order({**dict(zip(LETTERS, NUMBERS, strict=True)), "J": "none"})

    items = [quantitative(n, "B") for n in range(20)]
    proposal = propose(items)
    # B can only become I: the best there is with these items.
    assert {(m.before, m.after, m.how) for m in proposal.moves} == {("B", "I", REVERSE)}
    assert proposal.counts_after["B"] == proposal.counts_after["I"] == 10
    # A quantitative item whose numbers are not in order moves like any other.
    assert how_it_moves(item(1, "B", question_type="Quantitative Reasoning"))[0] == SWAP


@pytest.mark.parametrize(
    "extra",
    [
        {"rationale": "Option C would need a higher temperature."},
        {"rationale": "The answer is (D): the buffer is changed."},
        {"text": "Which of the options, besides A and B, is shown?"},
        {"options": {**words(1), "J": "None of the above"}},
    ],
)
def test_items_that_refer_to_options_keep_their_letters(extra: dict[str, Any]) -> None:
    how, reason = how_it_moves(item(1, "A", **extra))
    assert how is None and reason
    proposal = propose([item(1, "A", **extra), item(2, "A"), item(3, "A")])
    assert "u0001" not in {move.uid for move in proposal.moves}
    assert sum(proposal.fixed.values()) == 1


# --- Applying, against the database -------------------------------------------------------------


@pytest.fixture
def lopsided(db: None, write_items: Callable[..., Path]) -> list[dict[str, Any]]:
    """Twenty accepted items with every key at A; item 20 is quantitative, numbers in order."""
    items = []
    for n in range(1, 21):
        items.append(
            make_item(
                video_id=str(100 + n % 4),
                question_id=str(n),
                question=f"Why is step {n} done between 00:10 and 00:20?",
                timestamp_breakdown=["00:10-00:20: shown"],
                options=words(n),
                answer="A",
            )
        )
    items[-1].update(
        question_type="Quantitative Reasoning",
        options=dict(zip(LETTERS, NUMBERS, strict=True)),
    )
    call_command(
        "import_questions",
        str(write_items(items)),
        "--status",
        "accepted",
        stdout=io.StringIO(),
    )
    return items


def rebalance(*args: str) -> str:
    out = io.StringIO()
    call_command("rebalance_letters", *args, stdout=out)
    return out.getvalue()


def options_of(question: Question) -> dict[str, str]:
    return {o.letter: o.text for o in question.options.order_by("letter")}


def test_cli_proposes_without_changing_and_applies_as_the_curator(
    lopsided: list[dict[str, Any]], curator: Any
) -> None:
    before = {q.uid: (q.answer, options_of(q)) for q in Question.objects.all()}
    shown = rebalance()
    assert "now" in shown and "proposed" in shown and "run again with --apply" in shown
    assert {q.uid: (q.answer, options_of(q)) for q in Question.objects.all()} == before
    with pytest.raises(CommandError, match="active curator"):
        rebalance("--apply")

    out = rebalance("--apply", "--user", curator.username)
    assert "Re-lettered 18 item(s)." in out
    answers = [q.answer for q in Question.objects.all()]
    assert sorted(answers.count(letter) for letter in LETTERS) == [2] * 10
    for question in Question.objects.all():
        old_answer, old_options = before[question.uid]
        new_options = options_of(question)
        # The same options and the same key, in another order.
        assert sorted(new_options.values()) == sorted(old_options.values())
        assert new_options[question.answer] == old_options[old_answer]
        assert question.status == QuestionStatus.ACCEPTED
        if question.answer != old_answer:
            assert question.version == 2 and question.judged_version == 1
            revision = Revision.objects.filter(question=question).order_by("-number").first()
            assert revision is not None and revision.author == curator
            assert f"key A → {question.answer}" in revision.reason
    numeric = Question.objects.get(question_id="20")
    if numeric.answer != "A":
        assert numeric.answer == "J"
        assert list(options_of(numeric).values()) == list(reversed(NUMBERS))
    # Once even, there is nothing more to do.
    assert "Nothing to re-letter." in rebalance()


def test_a_release_frozen_after_rebalancing_has_even_letters(
    lopsided: list[dict[str, Any]], curator: Any
) -> None:
    assert "answer letters are unevenly spread" in freeze("lopsided", "--version", "1.0.0")
    rebalance("--apply", "--user", curator.username)
    out = freeze("svb", "--version", "1.0.0")
    assert "unevenly spread" not in out
    release = Release.objects.get(name="svb")
    with release.files.get(format="jsonl").file.open() as handle:
        letters = [json.loads(line)["answer"] for line in handle.read().splitlines()]
    assert sorted(letters.count(letter) for letter in LETTERS) == [2] * 10
    assert "answer_spread" not in {w["code"] for w in release.warnings}
    # The earlier release keeps the letters it was frozen with.
    earlier = Release.objects.get(name="lopsided")
    with earlier.files.get(format="jsonl").file.open() as handle:
        assert {json.loads(line)["answer"] for line in handle.read().splitlines()} == {"A"}


def test_applying_is_all_or_nothing(lopsided: list[dict[str, Any]], curator: Any) -> None:
    first, second = Question.objects.order_by("pk")[:2]
    revisions = Revision.objects.count()
    moves = [(first.uid, first.version, "B"), (second.uid, second.version + 1, "C")]
    with pytest.raises(RebalanceInvalid, match=f"{second.uid}: changed since the proposal"):
        rebalance_apply(benchmark=first.video.benchmark, moves=moves, curator=curator)
    Question.objects.filter(pk=second.pk).update(status=QuestionStatus.IN_REVIEW)
    with pytest.raises(RebalanceInvalid, match="is in review, not accepted"):
        rebalance_apply(
            benchmark=first.video.benchmark,
            moves=[(first.uid, 1, "B"), (second.uid, 1, "C")],
            curator=curator,
        )
    numeric = Question.objects.get(question_id="20")
    with pytest.raises(RebalanceInvalid, match="numbers in order can only move from A to J"):
        rebalance_apply(
            benchmark=first.video.benchmark,
            moves=[(first.uid, 1, "B"), (numeric.uid, 1, "C")],
            curator=curator,
        )
    with pytest.raises(RebalanceInvalid, match="more than once"):
        rebalance_apply(
            benchmark=first.video.benchmark,
            moves=[(first.uid, 1, "B"), (first.uid, 1, "C")],
            curator=curator,
        )
    assert Revision.objects.count() == revisions
    assert set(Question.objects.values_list("answer", flat=True)) == {"A"}


def test_accepts_given_before_a_relettering_still_count_but_not_after_an_edit(
    db: None, write_items: Callable[..., Path], curator: Any, reviewer: Any
) -> None:
    call_command(
        "import_questions",
        str(write_items([make_item(discipline="Biology", options=words(1), answer="A")])),
        stdout=io.StringIO(),
    )
    question = Question.objects.get()
    question.video.benchmark.required_accepts = 1
    question.video.benchmark.save()
    question_decide(question=question, reviewer=reviewer, kind=DecisionKind.ACCEPT, seen_version=1)
    assert question.status == QuestionStatus.ACCEPTED
    changed = rebalance_apply(
        benchmark=question.video.benchmark, moves=[(question.uid, 1, "G")], curator=curator
    )
    assert [q.pk for q in changed] == [question.pk]
    question.refresh_from_db()
    assert (question.answer, question.version, question.judged_version) == ("G", 2, 1)
    assert accepts_at_current_version(question) == 1
    # The reviewer is not asked again about what they already accepted.
    question.status = QuestionStatus.IN_REVIEW
    assert not review_queue(reviewer).filter(pk=question.pk).exists()
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.ACCEPTED)
    # An edit of the content is judged afresh.
    edit = edit_from_question(question)
    edit.rationale = "A new rationale."
    question_edit(question=question, editor=curator, seen_version=2, edit=edit)
    question.refresh_from_db()
    assert question.judged_version == question.version == 3
    assert accepts_at_current_version(question) == 0
    assert question.status == QuestionStatus.IN_REVIEW


def test_curator_proposes_and_applies_on_the_release_page(
    lopsided: list[dict[str, Any]], curator: Any, reviewer: Any
) -> None:
    client = Client()
    client.force_login(curator)
    form = {**FORM, "action": "rebalance"}
    page = client.post("/releases/new/", form, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="rebalance-proposal"' in page
    assert "Apply 18 re-letterings" in page
    moves = page.split('name="moves" value="')[1].split('"')[0]
    assert len(moves.split()) == 18
    outsider = Client()
    outsider.force_login(reviewer)
    assert outsider.post("/releases/rebalance", {"moves": moves}).status_code == 403
    assert set(Question.objects.values_list("answer", flat=True)) == {"A"}

    done = client.post(
        "/releases/rebalance", {"moves": moves}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Re-lettered 18 items." in done
    # The same proposal twice: the items changed since, so nothing happens the second time.
    again = client.post("/releases/rebalance", {"moves": moves})
    assert again.status_code == 400
    assert "changed since the proposal" in again.content.decode()
    bad = client.post("/releases/rebalance", {"moves": "nonsense"})
    assert bad.status_code == 400 and "is not a re-lettering" in bad.content.decode()
    page = client.post("/releases/new/", form, headers={"HX-Request": "true"}).content.decode()
    assert 'data-testid="rebalance-even"' in page


def test_a_plain_form_post_applies_and_redirects_with_the_message(
    lopsided: list[dict[str, Any]], curator: Any
) -> None:
    client = Client()
    client.force_login(curator)
    form = {**FORM, "action": "rebalance"}
    page = client.post("/releases/new/", form, headers={"HX-Request": "true"}).content.decode()
    moves = page.split('name="moves" value="')[1].split('"')[0]
    applied = client.post("/releases/rebalance", {"moves": moves})
    assert applied.status_code == 302 and applied["Location"] == "/releases/new/"
    assert "Re-lettered 18 items." in client.get(applied["Location"]).content.decode()
    assert set(Question.objects.values_list("answer", flat=True)) != {"A"}
