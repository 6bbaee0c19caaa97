"""`paper_baseline` reproduces SciVideoBench's human row from the published counts."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from baselines.management.commands import paper_baseline
from baselines.paper import HUMAN_BY_CATEGORY, HUMAN_BY_TYPE, published_answers


def test_the_answers_have_the_published_counts_per_column() -> None:
    answers = published_answers()
    assert (len(answers), sum(a.correct for a in answers)) == (1000, 174)
    for name, (right, total) in HUMAN_BY_TYPE.items():
        mine = [a for a in answers if a.question_type == name]
        assert (sum(a.correct for a in mine), len(mine)) == (right, total)
    for name, (right, total) in HUMAN_BY_CATEGORY.items():
        mine = [a for a in answers if a.category == name]
        assert (sum(a.correct for a in mine), len(mine)) == (right, total)


def test_the_command_prints_the_papers_row_beside_chance() -> None:
    out = StringIO()
    call_command("paper_baseline", stdout=out)
    lines = out.getvalue().splitlines()
    human = next(line for line in lines if line.startswith("human experts"))
    assert "17.40 (174/1000)" in human and "14.29 (35/245)" in human
    assert "21.19 (25/118)" in human
    assert next(line for line in lines if line.startswith("chance")).split()[1:] == ["10.00"] * 8
    assert lines[-1] == "Every cell matches the row the paper publishes."


def test_json_says_whether_it_matches() -> None:
    out = StringIO()
    call_command("paper_baseline", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["matches"] is True
    assert report["rows"][0]["overall"] == {
        "correct": 174,
        "total": 1000,
        "acc": 17.4,
        "ci95": [15.18, 19.87],
    }
    assert [row["name"] for row in report["rows"]] == ["human experts (paper)", "chance"]


def test_a_row_that_differs_from_the_paper_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = ("17.40", "18.11", "18.70", "14.30", "15.88", "16.06", "21.19", "18.88")
    monkeypatch.setattr(paper_baseline, "PUBLISHED_ROW", wrong)
    with pytest.raises(CommandError, match=r"14\.29 where the paper prints 14\.30"):
        call_command("paper_baseline", stdout=StringIO())
