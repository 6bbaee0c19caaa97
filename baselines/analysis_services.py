"""Acting on an item analysis: a curator sends a split's flagged items back to review, each
with its analysis attached as a comment, so the next release's changelog shows what changed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from baselines.analysis_table import filter_rows, flag_text
from baselines.selectors import split_item_analysis
from releases.models import Release
from reviews.models import DecisionKind, Question
from reviews.services.decisions import ReviewError, question_decide
from reviews.services.edits import comment_add
from sciannot.accounts.models import User


def analysis_comment(release: Release, split: str, row: dict[str, Any]) -> str:
    """An item's analysis in words, for its review page."""
    humans, models = row["humans"], row["models"]
    disc = row["discrimination"]
    lines = [
        f"Item analysis of {release.name} {release.version} ({split}), item {row['uid']}:",
        f"humans {humans['correct']}/{humans['n']} right, models {models['correct']}/"
        f"{models['n']} right; discrimination humans {disc['humans']}, models {disc['models']}.",
        "Letters chosen (humans / models): "
        + ", ".join(
            f"{letter} {humans['choices'][letter]}/{models['choices'].get(letter, 0)}"
            for letter in humans["choices"]
            if humans["choices"][letter] or models["choices"].get(letter, 0)
        )
        + f" (key {row['key']}).",
    ]
    lines += [f"{name}: {flag_text(name, row['flag_details'][name])}." for name in row["flags"]]
    return "\n".join(lines)


def analysis_send_back(*, curator: User, release: Release, split: str, flag: str) -> list[str]:
    """Send the split's items carrying `flag` ("any": any flag) back for revision as
    `curator`, each with its analysis as a comment; all or none. Returns the questions' uids."""
    if not curator.is_curator:
        raise ReviewError("only a curator may send items back to review")
    analysis = split_item_analysis(release, split)
    rows = [row for row in filter_rows(analysis["items"], flag or "any") if row["flags"]]
    if not rows:
        raise ReviewError("no item of this split carries that flag")
    questions = Question.objects.in_bulk([row["question"] for row in rows], field_name="uid")
    sent = []
    with transaction.atomic():
        for row in rows:
            question = questions.get(row["question"])
            if question is None:
                continue
            comment_add(
                question=question, author=curator, text=analysis_comment(release, split, row)
            )
            question_decide(
                question=question,
                reviewer=curator,
                kind=DecisionKind.NEEDS_REVISION,
                seen_version=question.version,
                comment=(
                    f"Sent back by the item analysis of {release.name} {release.version} "
                    f"({split}): {', '.join(row['flags'])}."
                ),
            )
            sent.append(question.uid)
    return sent
