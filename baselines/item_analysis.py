"""Item analysis: what the answers to a release split say about each item.

Pure computation over answer matrices — no database. `baselines.selectors.split_item_analysis`
gathers a split's human answers and model predictions into a respondents × items `Matrix`
(numpy arrays of letter codes, correctness and seconds) and calls `analyse_matrix`;
`analyse` takes `Response`s and builds that matrix first. Every number is computed over
whole arrays at once, so 100,000 items × 50 respondents take seconds.

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
- one answer per respondent and item (a later one replaces an earlier one);
- the better half (for a possible wrong key) is the first half, rounded down, of the
  respondents with a rest score ranked by it, highest first, ties by respondent id;
- a discrimination is null with fewer than `min_respondents` respondents (who also answered
  another item), or when either variable does not vary; one within 1e-12 of zero is zero.
"""

from __future__ import annotations

import functools
import gc
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray

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


def key_length_bias(items: Sequence[Item]) -> dict[str, Any]:
    """How often the key is (one of) the longest options, against chance: an option picked at
    random is among the longest with probability (longest options / options)."""
    longest = 0
    expected = 0.0
    for item in items:
        if not item.options:
            continue
        lengths = [len(text) for text in item.options.values()]
        top = max(lengths)
        expected += lengths.count(top) / len(lengths)
        key_text = item.options.get(item.key)
        longest += key_text is not None and len(key_text) == top
    n = len(items)
    return {
        "items": n,
        "key_longest": longest,
        "expected": round(expected, 2),
        "rate": _round(longest / n) if n else None,
        "chance_rate": _round(expected / n) if n else None,
    }


# Letter codes in the answer matrix: A–J are 0–9; these two mark the rest.
NOT_ANSWERED = -1
NO_LETTER = 10
LETTER_CODES = "ABCDEFGHIJ"
_CODE = {letter: code for code, letter in enumerate(LETTER_CODES)}


def letter_code(letter: str) -> int:
    """The matrix code of an answer's letter: 0–9 for A–J, `NO_LETTER` for none (or one
    outside A–J, which no option can carry)."""
    return _CODE.get(letter, NO_LETTER)


@dataclass(frozen=True)
class Matrix:
    """A split's answers as arrays, respondents × items (rows in the order of `respondents`,
    columns in the order of `items`): `letters` holds letter codes (`NOT_ANSWERED`,
    `NO_LETTER` or 0–9), `correct` whether the answer was right, `seconds` a human's time
    (NaN when unknown)."""

    letters: NDArray[np.int8]
    correct: NDArray[np.bool_]
    seconds: NDArray[np.float64] | None = None


def response_matrix(
    items: Sequence[Item], respondents: Sequence[Respondent], responses: Iterable[Response]
) -> Matrix:
    """The matrix of `responses`; those to unknown items or from unknown respondents are
    left out, and a respondent's later answer to an item replaces an earlier one."""
    column = {item.uid: i for i, item in enumerate(items)}
    row = {r.id: i for i, r in enumerate(respondents)}
    shape = (len(respondents), len(items))
    letters = np.full(shape, NOT_ANSWERED, dtype=np.int8)
    correct = np.zeros(shape, dtype=np.bool_)
    seconds = np.full(shape, np.nan)
    for response in responses:
        i = row.get(response.respondent)
        j = column.get(response.uid)
        if i is None or j is None:
            continue
        letters[i, j] = letter_code(response.letter)
        correct[i, j] = response.correct
        if response.seconds is not None:
            seconds[i, j] = response.seconds
    return Matrix(letters, correct, seconds)


# Correlations closer to zero than this are zero: summation order alone moves them there.
ZERO = 1e-12


class _Group:
    """Vectorised per-item numbers for a set of respondent rows."""

    def __init__(self, letters: NDArray[np.int8], correct: NDArray[np.bool_]) -> None:
        self.letters = letters
        self.answered = letters != NOT_ANSWERED
        self.correct = correct & self.answered
        self.n = self.answered.sum(axis=0)
        self.right = self.correct.sum(axis=0)
        # Each respondent's rest score on each item they answered: their proportion right on
        # the other items they answered (`valid` where there are such items).
        per_answered = self.answered.sum(axis=1)
        per_right = self.correct.sum(axis=1)
        self.valid = self.answered & (per_answered > 1)[:, None]
        others = np.maximum(per_answered - 1, 1).astype(np.float64)
        rest = (per_right[:, None] - self.correct) / others[:, None]
        self.rest = np.where(self.valid, rest, 0.0)
        self.ranked = self.valid.sum(axis=0)

    def choices(self) -> NDArray[np.int64]:
        """Items × 10: how many chose each of A–J."""
        return np.stack(
            [(self.letters == code).sum(axis=0) for code in range(len(LETTER_CODES))], axis=1
        )

    def discrimination(self, min_respondents: int) -> list[float | None]:
        """The point-biserial correlation of being right with the rest score, per item."""
        count = self.ranked
        x = np.where(self.valid, self.correct, False).astype(np.float64)
        y = self.rest
        safe = np.maximum(count, 1)
        sx = x.sum(axis=0)
        mean_x = sx / safe
        mean_y = y.sum(axis=0) / safe
        dx = np.where(self.valid, x - mean_x, 0.0)
        dy = np.where(self.valid, y - mean_y, 0.0)
        sxx = (dx * dx).sum(axis=0)
        syy = (dy * dy).sum(axis=0)
        sxy = (dx * dy).sum(axis=0)
        # Exactly constant series have no correlation (a tiny float residue must not make one).
        y_low = np.where(self.valid, y, np.inf).min(axis=0, initial=np.inf)
        y_high = np.where(self.valid, y, -np.inf).max(axis=0, initial=-np.inf)
        varies = (sx > 0) & (sx < count) & (y_low < y_high) & (sxx > 0) & (syy > 0)
        usable = varies & (count >= min_respondents)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = sxy / np.sqrt(sxx * syy)
        # A correlation within rounding noise of zero is zero (and so never negative).
        r = np.where(np.abs(r) < ZERO, 0.0, r)
        return [float(v) if ok else None for v, ok in zip(r.tolist(), usable.tolist(), strict=True)]

    def upper_half(self) -> NDArray[np.bool_]:
        """Per item, the better half of the respondents with a rest score: highest rest score
        first, ties to the earlier row; the half is rounded down."""
        order = np.argsort(np.where(self.valid, -self.rest, np.inf), axis=0, kind="stable")
        ranks = np.arange(self.letters.shape[0])[:, None]
        upper = np.zeros_like(self.valid)
        np.put_along_axis(upper, order, ranks < (self.ranked // 2)[None, :], axis=0)
        return upper


def _medians(seconds: NDArray[np.float64], usable: NDArray[np.bool_]) -> list[float | None]:
    """The median of each column's usable values (None when there are none)."""
    values = np.sort(np.where(usable, seconds, np.nan), axis=0)  # NaN sorts last
    count = (usable & ~np.isnan(seconds)).sum(axis=0)
    if values.shape[0] == 0:
        return [None] * values.shape[1]
    low = np.take_along_axis(values, np.maximum((count - 1) // 2, 0)[None, :], axis=0)[0]
    high = np.take_along_axis(values, np.maximum(count // 2, 0)[None, :], axis=0)[0]
    median = np.where(count % 2 == 1, low, (low + high) / 2)
    return [
        round(float(m), 1) if c else None
        for m, c in zip(median.tolist(), count.tolist(), strict=True)
    ]


def _kr20_matrix(correct: NDArray[np.bool_], *, min_respondents: int) -> float | None:
    """`kr20` of a complete boolean matrix, with the same arithmetic."""
    n, k = correct.shape
    if n < max(min_respondents, 2) or k < 2:
        return None
    totals = [int(t) for t in correct.sum(axis=1).tolist()]
    variance = float(Fraction(n * sum(t * t for t in totals) - sum(totals) ** 2, n * n))
    if variance <= 0:
        return None
    p = correct.sum(axis=0) / n
    # Summed in column order, one after the other, as `kr20` does.
    pq = float(np.cumsum(p * (1 - p))[-1])
    return k / (k - 1) * (1 - pq / variance)


def _letter_preferences(
    items: Sequence[Item],
    respondents: Sequence[Respondent],
    letters: NDArray[np.int8],
    keys: NDArray[np.int64],
) -> list[dict[str, Any]]:
    """Per model: how often it chose each letter, against how often each letter is the key
    over the items it answered."""
    alphabet = sorted({letter for item in items for letter in item.options})
    rows = []
    for index, respondent in enumerate(respondents):
        if respondent.group != MODELS:
            continue
        row = letters[index]
        answered = row != NOT_ANSWERED
        n = int(answered.sum())
        if not n:
            continue
        chosen = np.bincount(row[answered & (row != NO_LETTER)], minlength=NO_LETTER + 1)
        keyed = np.bincount(keys[answered], minlength=NO_LETTER + 1)
        picks = {
            letter: int(chosen[_CODE[letter]]) if letter in _CODE else 0 for letter in alphabet
        }
        key_counts = {
            letter: int(keyed[_CODE[letter]]) if letter in _CODE else 0 for letter in alphabet
        }
        # The letter chosen most beyond its share of keys.
        excess = max(
            alphabet, key=lambda letter: (picks[letter] - key_counts[letter], -ord(letter))
        )
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


def analyse(
    items: Sequence[Item],
    respondents: Sequence[Respondent],
    responses: Iterable[Response],
    *,
    min_respondents: int = MIN_RESPONDENTS,
    dead_min: int = DEAD_DISTRACTOR_MIN_ANSWERS,
) -> dict[str, Any]:
    """The analysis of one split: `{"items": [...], "split": {...}}` (see the module's
    docstring for the conventions). Responses to items not in `items` are ignored."""
    return analyse_matrix(
        items,
        respondents,
        response_matrix(items, respondents, responses),
        min_respondents=min_respondents,
        dead_min=dead_min,
    )


def analyse_matrix(
    items: Sequence[Item],
    respondents: Sequence[Respondent],
    matrix: Matrix,
    *,
    min_respondents: int = MIN_RESPONDENTS,
    dead_min: int = DEAD_DISTRACTOR_MIN_ANSWERS,
) -> dict[str, Any]:
    """`analyse` over a `Matrix` whose rows follow `respondents` and columns `items`. The
    cyclic garbage collector is paused meanwhile: the result is hundreds of thousands of
    dicts with no cycles, and its passes over them would take as long as the rest."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyse_matrix(
            items, respondents, matrix, min_respondents=min_respondents, dead_min=dead_min
        )
    finally:
        if collecting:
            gc.enable()


def _analyse_matrix(
    items: Sequence[Item],
    respondents: Sequence[Respondent],
    matrix: Matrix,
    *,
    min_respondents: int,
    dead_min: int,
) -> dict[str, Any]:
    k = len(items)
    given = list(respondents)
    # Rows by respondent id: the wrong-key check breaks rest-score ties by id.
    order = sorted(range(len(respondents)), key=lambda i: respondents[i].id)
    respondents = [respondents[i] for i in order]
    letters = matrix.letters[order] if order else matrix.letters
    correct = matrix.correct[order] if order else matrix.correct
    is_group = {
        group: np.array([r.group == group for r in respondents], dtype=np.bool_) for group in GROUPS
    }
    groups = {group: _Group(letters[is_group[group]], correct[is_group[group]]) for group in GROUPS}
    pooled = _Group(letters, correct)

    keys = np.array([letter_code(item.key) for item in items], dtype=np.int64)
    options = np.zeros((k, len(LETTER_CODES)), dtype=np.bool_)
    for j, item in enumerate(items):
        for letter in item.options:
            if letter in _CODE:
                options[j, _CODE[letter]] = True

    summaries: dict[str, dict[str, list[Any]]] = {}
    for group, numbers in groups.items():
        choices = numbers.choices()
        summaries[group] = {
            "n": numbers.n.tolist(),
            "right": numbers.right.tolist(),
            "choices": choices.tolist(),
            "optioned": (choices * options).sum(axis=1).tolist(),
            "r": numbers.discrimination(min_respondents),
        }
    if matrix.seconds is not None and is_group[HUMANS].any():
        human_letters = groups[HUMANS].letters
        timed = (human_letters != NOT_ANSWERED) & (human_letters != NO_LETTER)
        seconds = matrix.seconds[order][is_group[HUMANS]]
        medians = _medians(seconds, timed)
    else:
        medians = [None] * k

    # Possible wrong key: in the better half of all respondents, a distractor chosen more
    # often than the key.
    upper = pooled.upper_half()
    upper_counts = np.stack(
        [((pooled.letters == code) & upper).sum(axis=0) for code in range(len(LETTER_CODES))],
        axis=1,
    )
    in_range = keys < len(LETTER_CODES)
    key_counts = np.where(
        in_range, upper_counts[np.arange(k), np.minimum(keys, len(LETTER_CODES) - 1)], 0
    )
    rivals = upper_counts.copy()
    rivals[np.arange(k)[in_range], keys[in_range]] = -1
    rival = rivals.argmax(axis=1)
    rival_counts = rivals.max(axis=1) if k else np.zeros(0, dtype=np.int64)
    wrong_key = (pooled.ranked >= min_respondents) & (rival_counts > key_counts)
    # Dead distractors: options nobody chose.
    chosen_any = (
        np.stack(
            [(pooled.letters == code).any(axis=0) for code in range(len(LETTER_CODES))], axis=1
        )
        if k
        else np.zeros((0, len(LETTER_CODES)), dtype=np.bool_)
    )

    text_rows = [i for i, r in enumerate(respondents) if r.group == MODELS and r.text_only]
    if text_rows:
        blind_answered = pooled.answered[text_rows]
        blind_n = blind_answered.sum(axis=0)
        blind_right = pooled.correct[text_rows].sum(axis=0)
        blind = ((blind_n > 0) & (blind_right == blind_n)).tolist()
    else:
        blind = [False] * k

    pooled_n = pooled.n.tolist()
    pooled_right = pooled.right.tolist()
    upper_n = (pooled.ranked // 2).tolist()
    wrong_list = wrong_key.tolist()
    key_list = key_counts.tolist()
    rival_list = rival.tolist()
    rival_count_list = rival_counts.tolist()
    chosen_list = chosen_any.tolist()
    option_codes = [_option_codes(item) for item in items]
    r_of_humans = summaries[HUMANS]["r"]
    r_of_models = summaries[MODELS]["r"]
    rows = []
    for j, item in enumerate(items):
        r_humans = r_of_humans[j]
        r_models = r_of_models[j]
        flags: dict[str, dict[str, Any]] = {}
        if wrong_list[j]:
            flags["possible_wrong_key"] = {
                "upper_n": upper_n[j],
                "key": item.key,
                "key_count": key_list[j],
                "distractor": LETTER_CODES[rival_list[j]],
                "distractor_count": rival_count_list[j],
            }
        n = pooled_n[j]
        if n >= min_respondents and pooled_right[j] == 0:
            flags["no_one_right"] = {"n": n, "correct": 0}
        if n >= min_respondents and pooled_right[j] == n:
            flags["everyone_right"] = {"n": n, "correct": n}
        if blind[j]:
            names = sorted(respondents[i].name for i in text_rows if pooled.answered[i, j])
            flags["answerable_without_video"] = {
                "text_runs": len(names),
                "right": len(names),
                "models": names,
            }
        if (r_humans is not None and r_humans < 0) or (r_models is not None and r_models < 0):
            flags["negative_discrimination"] = {
                group: _round(r)
                for group, r in ((HUMANS, r_humans), (MODELS, r_models))
                if r is not None and r < 0
            }
        if n >= dead_min:
            chosen = chosen_list[j]
            dead = [
                letter
                for letter, code in option_codes[j]
                if letter != item.key and not (code < NO_LETTER and chosen[code])
            ]
            if dead:
                flags["dead_distractors"] = {"n": n, "letters": dead}
        rows.append(
            {
                "uid": item.uid,
                "key": item.key,
                "humans": _summary(option_codes[j], summaries[HUMANS], j, medians),
                "models": _summary(option_codes[j], summaries[MODELS], j, None),
                "discrimination": {HUMANS: _round(r_humans), MODELS: _round(r_models)},
                # Raised in the order of FLAGS.
                "flags": list(flags),
                "flag_details": flags,
            }
        )

    reliability: dict[str, float | None] = {}
    complete: dict[str, int] = {}
    for group, numbers in groups.items():
        full = numbers.answered.sum(axis=1) == k if k else np.zeros(0, dtype=np.bool_)
        complete[group] = int(full.sum()) if k else 0
        reliability[group] = (
            _round(_kr20_matrix(numbers.correct[full], min_respondents=min_respondents))
            if complete[group]
            else None
        )

    counted = Counter(flag for row in rows for flag in row["flags"])
    return {
        "items": rows,
        "split": {
            "items": k,
            "respondents": {
                group: sum(1 for r in respondents if r.group == group) for group in GROUPS
            },
            "kr20": reliability,
            "kr20_respondents": complete,
            "flags": {name: counted.get(name, 0) for name in FLAGS},
            "model_letters": _letter_preferences(items, given, matrix.letters, keys),
            "key_length": key_length_bias(items),
            "min_respondents": min_respondents,
            "dead_distractor_min_answers": dead_min,
        },
    }


@functools.lru_cache(maxsize=4096)
def _proportion(correct: int, n: int) -> float | None:
    return _round(correct / n) if n else None


class _Codes(tuple[tuple[str, int], ...]):
    """An item's option letters, sorted, each with its code (`NO_LETTER` outside A–J);
    `contiguous` when they are A, B, C… from A."""

    letters: tuple[str, ...]
    contiguous: bool


@functools.lru_cache(maxsize=256)
def _letters_codes(letters: tuple[str, ...]) -> _Codes:
    codes = _Codes((letter, _CODE.get(letter, NO_LETTER)) for letter in sorted(letters))
    codes.letters = tuple(letter for letter, _ in codes)
    codes.contiguous = [code for _, code in codes] == list(range(len(codes)))
    return codes


def _option_codes(item: Item) -> _Codes:
    return _letters_codes(tuple(item.options))


def _summary(
    codes: _Codes, numbers: dict[str, list[Any]], j: int, medians: list[float | None] | None
) -> dict[str, Any]:
    n = numbers["n"][j]
    correct = numbers["right"][j]
    counts = numbers["choices"][j]
    if codes.contiguous:
        choices = dict(zip(codes.letters, counts, strict=False))
    else:
        counts.append(0)  # at NO_LETTER: for option letters outside A–J
        choices = {letter: counts[code] for letter, code in codes}
    summary: dict[str, Any] = {
        "n": n,
        "correct": correct,
        "p": _proportion(correct, n),
        "choices": choices,
        "no_letter": n - sum(choices.values()),
    }
    if medians is not None:
        summary["median_seconds"] = medians[j]
    return summary
