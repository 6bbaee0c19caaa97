"""Item analysis: what the answers to a release split say about each item.

Pure computation over answer matrices — no database. `baselines.selectors.split_item_analysis`
gathers a split's human answers and model predictions into `Respondent`s and `Response`s
and calls `analyse`.

For each item and each group of respondents (humans, models): how many answered, how many
were right, how often each letter was chosen, and the item's discrimination — the
point-biserial correlation between being right on the item and the respondent's score on
the rest of the items (their proportion right on the other items they answered, which is the
rest score itself, rescaled, when everyone answered everything). Flags name the items worth a
second look, each with the numbers behind it. For the split: KR-20 reliability per group,
each model's letter preference against the keys, and how often the key is the longest option.

Conventions (so a reader can recompute every number):
- a respondent who answered without a letter (time ran out, or a reply no option could be
  read in) counts as answering, wrong, and under `no_letter`;
- variances are population variances (divided by n), in KR-20 and the correlation alike;
- KR-20 uses the respondents of a group who answered every item of the split; it is null
  with fewer than `min_respondents` of them, fewer than two items, or no variance in totals;
- a discrimination is null with fewer than `min_respondents` respondents (who also answered
  another item), or when either variable does not vary.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

HUMANS = "humans"
MODELS = "models"
GROUPS = (HUMANS, MODELS)

# Fewer respondents than this and a correlation, a reliability or a count-based flag says
# nothing worth showing.
MIN_RESPONDENTS = 5
# Options nobody chose are only telling when many answered.
DEAD_DISTRACTOR_MIN_ANSWERS = 20

FLAGS = (
    "possible_wrong_key",
    "no_one_right",
    "everyone_right",
    "answerable_without_video",
    "negative_discrimination",
    "dead_distractors",
)


@dataclass(frozen=True)
class Item:
    """One released item: its uid, its key and its options by letter."""

    uid: str
    key: str
    options: dict[str, str]


@dataclass(frozen=True)
class Respondent:
    """A human evaluator in one study, or one model run. `text_only`: a run that saw only the
    question and options, never the video."""

    id: str
    group: str
    name: str
    text_only: bool = False


@dataclass(frozen=True)
class Response:
    """One respondent's answer to one item; `letter` is empty when there was none."""

    respondent: str
    uid: str
    letter: str
    correct: bool
    seconds: float | None = None


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The correlation of two equally long series; None when either does not vary."""
    n = len(xs)
    if n == 0:
        return None
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / math.sqrt(sxx * syy)


def kr20(
    matrix: Sequence[Sequence[bool]], *, min_respondents: int = MIN_RESPONDENTS
) -> float | None:
    """Kuder–Richardson 20 of a complete respondents × items matrix of right/wrong; None with
    too few respondents, fewer than two items, or no variance in the totals."""
    n = len(matrix)
    if n < max(min_respondents, 2):
        return None
    k = len(matrix[0])
    if k < 2:
        return None
    totals = [sum(row) for row in matrix]
    variance = statistics.pvariance(totals)
    if variance <= 0:
        return None
    pq = 0.0
    for column in range(k):
        p = sum(row[column] for row in matrix) / n
        pq += p * (1 - p)
    return k / (k - 1) * (1 - pq / variance)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _group_summary(item: Item, answers: list[Response], *, with_seconds: bool) -> dict[str, Any]:
    choices = dict.fromkeys(sorted(item.options), 0)
    no_letter = 0
    for answer in answers:
        if answer.letter in choices:
            choices[answer.letter] += 1
        else:
            no_letter += 1
    n = len(answers)
    correct = sum(answer.correct for answer in answers)
    summary: dict[str, Any] = {
        "n": n,
        "correct": correct,
        "p": _round(correct / n) if n else None,
        "choices": choices,
        "no_letter": no_letter,
    }
    if with_seconds:
        seconds = [a.seconds for a in answers if a.seconds is not None and a.letter]
        summary["median_seconds"] = round(statistics.median(seconds), 1) if seconds else None
    return summary


class _Scores:
    """Each respondent's count of answered and right items, for rest scores."""

    def __init__(self, responses: Iterable[Response]) -> None:
        self.answered: Counter[str] = Counter()
        self.right: Counter[str] = Counter()
        for response in responses:
            self.answered[response.respondent] += 1
            self.right[response.respondent] += response.correct

    def rest(self, response: Response) -> float | None:
        """The respondent's proportion right on the other items they answered."""
        others = self.answered[response.respondent] - 1
        if others <= 0:
            return None
        return (self.right[response.respondent] - response.correct) / others


def _discrimination(
    answers: list[Response], scores: _Scores, *, min_respondents: int
) -> float | None:
    pairs = [(float(a.correct), rest) for a in answers if (rest := scores.rest(a)) is not None]
    if len(pairs) < min_respondents:
        return None
    return pearson([x for x, _ in pairs], [y for _, y in pairs])


def _wrong_key(
    item: Item, answers: list[Response], scores: _Scores, *, min_respondents: int
) -> dict[str, Any] | None:
    """A distractor the better half (by rest score) chose more often than the key."""
    ranked = [(rest, a) for a in answers if (rest := scores.rest(a)) is not None]
    if len(ranked) < min_respondents:
        return None
    ranked.sort(key=lambda pair: (-pair[0], pair[1].respondent))
    upper = [a for _, a in ranked[: len(ranked) // 2]]
    counts = Counter(a.letter for a in upper if a.letter)
    key_count = counts.get(item.key, 0)
    distractors = sorted(
        ((count, letter) for letter, count in counts.items() if letter != item.key),
        key=lambda pair: (-pair[0], pair[1]),
    )
    if not distractors or distractors[0][0] <= key_count:
        return None
    count, letter = distractors[0]
    return {
        "upper_n": len(upper),
        "key": item.key,
        "key_count": key_count,
        "distractor": letter,
        "distractor_count": count,
    }


def _item_flags(
    item: Item,
    by_group: dict[str, list[Response]],
    discrimination: dict[str, float | None],
    scores: _Scores,
    text_only: dict[str, str],
    *,
    min_respondents: int,
    dead_min: int,
) -> dict[str, dict[str, Any]]:
    flags: dict[str, dict[str, Any]] = {}
    pooled = by_group[HUMANS] + by_group[MODELS]
    n = len(pooled)
    right = sum(a.correct for a in pooled)
    wrong_key = _wrong_key(item, pooled, scores, min_respondents=min_respondents)
    if wrong_key is not None:
        flags["possible_wrong_key"] = wrong_key
    if n >= min_respondents and right == 0:
        flags["no_one_right"] = {"n": n, "correct": 0}
    if n >= min_respondents and right == n:
        flags["everyone_right"] = {"n": n, "correct": n}
    blind = [a for a in by_group[MODELS] if a.respondent in text_only]
    if blind and all(a.correct for a in blind):
        flags["answerable_without_video"] = {
            "text_runs": len(blind),
            "right": len(blind),
            "models": sorted(text_only[a.respondent] for a in blind),
        }
    negative = {group: r for group, r in discrimination.items() if r is not None and r < 0}
    if negative:
        flags["negative_discrimination"] = {group: _round(r) for group, r in negative.items()}
    if n >= dead_min:
        chosen = {a.letter for a in pooled if a.letter}
        dead = sorted(
            letter for letter in item.options if letter != item.key and letter not in chosen
        )
        if dead:
            flags["dead_distractors"] = {"n": n, "letters": dead}
    return flags


def _letter_preferences(
    items: Sequence[Item], respondents: Sequence[Respondent], responses: Sequence[Response]
) -> list[dict[str, Any]]:
    """Per model: how often it chose each letter, against how often each letter is the key
    over the items it answered."""
    keys = {item.uid: item.key for item in items}
    letters = sorted({letter for item in items for letter in item.options})
    chosen: dict[str, Counter[str]] = defaultdict(Counter)
    keyed: dict[str, Counter[str]] = defaultdict(Counter)
    answered: Counter[str] = Counter()
    for response in responses:
        if response.uid not in keys:
            continue
        answered[response.respondent] += 1
        keyed[response.respondent][keys[response.uid]] += 1
        if response.letter:
            chosen[response.respondent][response.letter] += 1
    rows = []
    for respondent in respondents:
        if respondent.group != MODELS or not answered[respondent.id]:
            continue
        n = answered[respondent.id]
        picks = {letter: chosen[respondent.id][letter] for letter in letters}
        key_counts = {letter: keyed[respondent.id][letter] for letter in letters}
        # The letter chosen most beyond its share of keys.
        excess = max(letters, key=lambda letter: (picks[letter] - key_counts[letter], -ord(letter)))
        rows.append(
            {
                "model": respondent.name,
                "text_only": respondent.text_only,
                "n": n,
                "chosen": picks,
                "keys": key_counts,
                "most_overchosen": {
                    "letter": excess,
                    "chosen": picks[excess],
                    "keys": key_counts[excess],
                },
            }
        )
    return rows


def key_length_bias(items: Sequence[Item]) -> dict[str, Any]:
    """How often the key is (one of) the longest options, against chance: an option picked at
    random is among the longest with probability (longest options / options)."""
    longest = 0
    expected = 0.0
    for item in items:
        lengths = {letter: len(text) for letter, text in item.options.items()}
        if not lengths:
            continue
        top = max(lengths.values())
        tied = sum(1 for length in lengths.values() if length == top)
        expected += tied / len(lengths)
        longest += lengths.get(item.key, -1) == top
    n = len(items)
    return {
        "items": n,
        "key_longest": longest,
        "expected": round(expected, 2),
        "rate": _round(longest / n) if n else None,
        "chance_rate": _round(expected / n) if n else None,
    }


def analyse(
    items: Sequence[Item],
    respondents: Sequence[Respondent],
    responses: Sequence[Response],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    dead_min: int = DEAD_DISTRACTOR_MIN_ANSWERS,
) -> dict[str, Any]:
    """The analysis of one split: `{"items": [...], "split": {...}}` (see the module's
    docstring for the conventions). Responses to items not in `items` are ignored."""
    uids = {item.uid for item in items}
    group_of = {r.id: r.group for r in respondents}
    text_only = {r.id: r.name for r in respondents if r.text_only}
    responses = [r for r in responses if r.uid in uids and r.respondent in group_of]
    by_item: dict[str, dict[str, list[Response]]] = {
        item.uid: {group: [] for group in GROUPS} for item in items
    }
    for response in responses:
        by_item[response.uid][group_of[response.respondent]].append(response)
    scores = {
        group: _Scores(r for r in responses if group_of[r.respondent] == group) for group in GROUPS
    }
    pooled_scores = _Scores(responses)

    rows = []
    for item in items:
        by_group = by_item[item.uid]
        discrimination = {
            group: _discrimination(by_group[group], scores[group], min_respondents=min_respondents)
            for group in GROUPS
        }
        flags = _item_flags(
            item,
            by_group,
            discrimination,
            pooled_scores,
            text_only,
            min_respondents=min_respondents,
            dead_min=dead_min,
        )
        rows.append(
            {
                "uid": item.uid,
                "key": item.key,
                "humans": _group_summary(item, by_group[HUMANS], with_seconds=True),
                "models": _group_summary(item, by_group[MODELS], with_seconds=False),
                "discrimination": {group: _round(r) for group, r in discrimination.items()},
                "flags": [name for name in FLAGS if name in flags],
                "flag_details": {name: flags[name] for name in FLAGS if name in flags},
            }
        )

    reliability: dict[str, float | None] = {}
    complete: dict[str, int] = {}
    for group in GROUPS:
        answers: dict[str, dict[str, bool]] = defaultdict(dict)
        for response in responses:
            if group_of[response.respondent] == group:
                answers[response.respondent][response.uid] = response.correct
        matrix = [
            [given[item.uid] for item in items]
            for _, given in sorted(answers.items())
            if len(given) == len(items)
        ]
        complete[group] = len(matrix)
        reliability[group] = (
            _round(kr20(matrix, min_respondents=min_respondents)) if matrix else None
        )

    counted = Counter(flag for row in rows for flag in row["flags"])
    return {
        "items": rows,
        "split": {
            "items": len(items),
            "respondents": {
                group: sum(1 for r in respondents if r.group == group) for group in GROUPS
            },
            "kr20": reliability,
            "kr20_respondents": complete,
            "flags": {name: counted.get(name, 0) for name in FLAGS},
            "model_letters": _letter_preferences(
                items,
                respondents,
                [r for r in responses if group_of[r.respondent] == MODELS],
            ),
            "key_length": key_length_bias(items),
            "min_respondents": min_respondents,
            "dead_distractor_min_answers": dead_min,
        },
    }
