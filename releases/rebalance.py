"""Evening out the answer letters of a release before it is frozen.

A benchmark whose keys sit mostly under a few letters rewards a model that guesses those
letters. The rebalancer proposes, for as few items as it can, a new letter for the key so
that every letter is the key about equally often, and the curator applies the proposal.

A re-lettering keeps an item's options and key and only reorders them, so it is not a
change of content: the question gets a new version and a revision, but the accepts given
to it still count (`Question.judged_version` stays). How an item may move:

- most items swap the key with the option at the new letter, the other eight stay put;
- a quantitative item whose ten options are numbers in order (5 N, 10 N, … 50 N) keeps them
  in order, so it can only be reversed: the key at A goes to J, at C to H;
- an item whose text, rationale or options refer to options by letter ("option C", "(B)",
  "both A and B") or by position ("none of the above") is not moved, since the reference
  would go wrong.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from releases.gate import answer_spread
from releases.rows import FreezeRequest, chosen_questions
from reviews.models import Option, Question, QuestionStatus, QuestionType
from reviews.services.item_format import content_hash
from reviews.services.questions import question_set_options
from reviews.services.revisions import question_content, question_snapshot, revision_write
from sciannot.accounts.models import User
from sciannot.inputs import INT32_MAX, InputInvalid, bounded_int
from sciannot.vocabulary import LETTERS
from videos.models import Benchmark

SWAP = "swap"
REVERSE = "reverse"

_NUMBER = re.compile(r"[-+−]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")
# "option C", "choice (B)", "answer is D", "(E)", "A and B", "B or C"
_LETTER_REFERENCE = re.compile(
    r"\b(?i:options?|choices?|answers?(?:\s+is)?)\s*\(?[A-J]\)?(?!\w)"
    r"|\([A-J]\)"
    r"|\b[A-J]\s*(?:,|&|(?i:and|or))\s*[A-J]\b"
)
_POSITIONAL = re.compile(r"\b(?:above|below|preceding|previous|following)\b", re.IGNORECASE)

FIXED_REASONS = {
    "letters": "refers to options by letter",
    "positional": "an option refers to other options by position",
}


class RebalanceInvalid(ValueError):
    """A re-lettering that cannot be applied; nothing was changed."""


def numeric_value(text: str) -> float | None:
    match = _NUMBER.search(text)
    if match is None:
        return None
    number = match.group().replace("−", "-").replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def numbers_in_order(options: dict[str, str]) -> bool:
    values = [numeric_value(options.get(letter, "")) for letter in LETTERS]
    numbers = [value for value in values if value is not None]
    if len(numbers) != len(LETTERS):
        return False
    pairs = list(itertools.pairwise(numbers))
    return all(a < b for a, b in pairs) or all(a > b for a, b in pairs)


def how_it_moves(item: dict[str, Any]) -> tuple[str | None, str]:
    """(SWAP, "") or (REVERSE, "") for an item that can move, (None, reason) for one that
    must keep its letters."""
    options: dict[str, str] = item["options"]
    texts = [item.get("text", ""), item.get("rationale", ""), *options.values()]
    if any(_LETTER_REFERENCE.search(text) for text in texts):
        return None, "letters"
    if any(_POSITIONAL.search(text) for text in options.values()):
        return None, "positional"
    if item.get("question_type") == QuestionType.QUANTITATIVE and numbers_in_order(options):
        return REVERSE, ""
    return SWAP, ""


def mirror(letter: str) -> str:
    return LETTERS[len(LETTERS) - 1 - LETTERS.index(letter)]


def relettered(options: dict[str, str], answer: str, to: str, how: str) -> dict[str, str]:
    """The options laid out with the key at `to`."""
    if how == REVERSE:
        if to != mirror(answer):
            raise RebalanceInvalid(
                f"numbers in order can only move from {answer} to {mirror(answer)}"
            )
        return {letter: options[mirror(letter)] for letter in LETTERS}
    moved = dict(options)
    moved[to], moved[answer] = options[answer], options[to]
    return moved


@dataclass(frozen=True)
class Move:
    uid: str
    version: int
    video_id: str
    question_id: str
    before: str
    after: str
    how: str


@dataclass
class Proposal:
    total: int
    counts_before: dict[str, int]
    counts_after: dict[str, int]
    p_before: float
    p_after: float
    moves: list[Move] = field(default_factory=list)
    # Why items could not move: reason -> count.
    fixed: dict[str, int] = field(default_factory=dict)


def _counts(counter: Counter[str]) -> dict[str, int]:
    return {letter: counter.get(letter, 0) for letter in LETTERS}


def _p_value(counts: dict[str, int]) -> float:
    return answer_spread([letter for letter, n in counts.items() for _ in range(n)])[1]


def propose(items: list[dict[str, Any]]) -> Proposal:
    """The fewest moves this greedy search finds that leave no two letters more than one
    key apart (or as close as the movable items allow). Deterministic: the same items give
    the same proposal."""
    counts: Counter[str] = Counter(item["answer"] for item in items)
    before = _counts(counts)
    fixed: Counter[str] = Counter()
    # Items that can move, by their key's letter, in uid order; reversible ones by (from, to).
    swappable: dict[str, list[dict[str, Any]]] = defaultdict(list)
    reversible: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in sorted(items, key=lambda i: i["uid"]):
        how, reason = how_it_moves(item)
        if how == SWAP:
            swappable[item["answer"]].append(item)
        elif how == REVERSE:
            reversible[item["answer"]].append(item)
        else:
            fixed[reason] += 1
    moves: list[Move] = []
    while True:
        # The widest gap between a letter with too many keys and one with too few that an
        # item can close; every move lowers the sum of squared counts, so this ends.
        pairs = sorted(
            ((a, b) for a in LETTERS for b in LETTERS if counts[a] - counts[b] >= 2),
            key=lambda pair: (counts[pair[1]] - counts[pair[0]], pair),
        )
        chosen: tuple[dict[str, Any], str, str] | None = None
        for a, b in pairs:
            if swappable[a]:
                chosen = (swappable[a].pop(0), b, SWAP)
                break
            if mirror(a) == b and reversible[a]:
                chosen = (reversible[a].pop(0), b, REVERSE)
                break
        if chosen is None:
            break
        item, to, how = chosen
        counts[item["answer"]] -= 1
        counts[to] += 1
        moves.append(
            Move(
                uid=item["uid"],
                version=item["version"],
                video_id=item["video_id"],
                question_id=item["question_id"],
                before=item["answer"],
                after=to,
                how=how,
            )
        )
    after = _counts(counts)
    return Proposal(
        total=len(items),
        counts_before=before,
        counts_after=after,
        p_before=_p_value(before),
        p_after=_p_value(after),
        moves=sorted(moves, key=lambda m: (m.video_id, m.question_id, m.uid)),
        fixed={FIXED_REASONS[reason]: n for reason, n in sorted(fixed.items())},
    )


def candidate_items(questions: QuerySet[Question]) -> list[dict[str, Any]]:
    """The facts the rebalancer needs about each question of a queryset."""
    rows = list(
        questions.order_by("pk").values(
            "pk",
            "uid",
            "version",
            "text",
            "rationale",
            "answer",
            "question_type",
            "question_id",
            "video__video_id",
        )
    )
    options: dict[int, dict[str, str]] = defaultdict(dict)
    for question_pk, letter, text in Option.objects.filter(
        question__in=questions.values("pk")
    ).values_list("question_id", "letter", "text"):
        options[question_pk][letter] = text
    return [
        {
            "uid": row["uid"],
            "version": row["version"],
            "text": row["text"],
            "rationale": row["rationale"],
            "answer": row["answer"],
            "question_type": row["question_type"],
            "question_id": row["question_id"],
            "video_id": row["video__video_id"],
            "options": options[row["pk"]],
        }
        for row in rows
    ]


def parse_moves(values: list[str]) -> list[tuple[str, int, str]]:
    """`uid:version:letter` as the proposal page posts them."""
    parsed = []
    for value in values:
        uid, _, rest = value.partition(":")
        version, _, letter = rest.partition(":")
        try:
            number = bounded_int(version, what="the version", low=1, high=INT32_MAX)
        except InputInvalid:
            number = 0
        if not uid or not number or letter not in LETTERS:
            shown = value if len(value) <= 60 else value[:57] + "..."
            raise RebalanceInvalid(f"{shown!r} is not a re-lettering (uid:version:letter)")
        parsed.append((uid, number, letter))
    return parsed


def rebalance_apply(
    *, benchmark: Benchmark, moves: list[tuple[str, int, str]], curator: User
) -> list[Question]:
    """Re-letter the given accepted questions, all or none: a question that changed since the
    proposal, is no longer accepted, or cannot take that letter stops the whole set."""
    if not moves:
        raise RebalanceInvalid("no re-letterings were given")
    uids = [uid for uid, _, _ in moves]
    if len(set(uids)) != len(uids):
        raise RebalanceInvalid("a question appears more than once")
    changed: list[Question] = []
    with transaction.atomic():
        locked = {
            q.uid: q
            for q in Question.objects.select_for_update()
            .filter(video__benchmark=benchmark, uid__in=uids)
            .select_related("video")
        }
        problems = []
        for uid, version, _ in moves:
            question = locked.get(uid)
            if question is None:
                problems.append(f"{uid}: no such question in {benchmark}")
            elif question.version != version:
                problems.append(
                    f"{uid}: changed since the proposal (version {version} → {question.version})"
                )
            elif question.status != QuestionStatus.ACCEPTED:
                problems.append(f"{uid}: is {question.get_status_display().lower()}, not accepted")
        if problems:
            raise RebalanceInvalid(
                "Nothing was re-lettered. " + "; ".join(problems) + ". Propose again."
            )
        for uid, _, to in moves:
            question = locked[uid]
            before = question_snapshot(question)
            options = before["options"]
            how, reason = how_it_moves(
                {
                    "text": question.text,
                    "rationale": question.rationale,
                    "question_type": question.question_type,
                    "options": options,
                }
            )
            if how is None:
                raise RebalanceInvalid(
                    f"Nothing was re-lettered. {uid}: {FIXED_REASONS[reason]}, so it keeps its "
                    "letters."
                )
            if to == question.answer:
                continue
            try:
                new_options = relettered(options, question.answer, to, how)
            except RebalanceInvalid as exc:
                raise RebalanceInvalid(f"Nothing was re-lettered. {uid}: {exc}.") from exc
            old = question.answer
            question_set_options(question, new_options)
            question.answer = to
            question.version += 1
            question.expert_touched = True
            question.content_hash = content_hash(question_content(question))
            question.save()
            revision_write(
                question=question,
                author=curator,
                reason=f"re-lettered to even out answer letters (key {old} → {to})",
                before=before,
            )
            changed.append(question)
    return changed


def rebalance_propose(benchmark: Benchmark, request: FreezeRequest) -> Proposal:
    """The proposal for the accepted items a freeze with `request`'s filters would take."""
    return propose(candidate_items(chosen_questions(benchmark, request)))
