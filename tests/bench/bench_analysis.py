"""The item analysis of 100,000 items × 50 respondents (40 humans, 10 model runs, two of them
text-only). Run by `make bench`.

Builds a seeded synthetic response matrix — ten options per item, respondents of different
ability, half of them skipping about 10 % of the items, 1 % of answers without a letter, one
planted wrong key (the strongest respondents all choose B on the first item, keyed A) — and times
`analyse_matrix`, the computation the command and the page run once a split's answers are
gathered. Checks that the planted key is flagged.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from baselines.item_analysis import (  # noqa: E402
    HUMANS,
    MODELS,
    NO_LETTER,
    NOT_ANSWERED,
    Item,
    Matrix,
    Respondent,
    analyse_matrix,
)

TARGET_S = 5.0
LETTERS = "ABCDEFGHIJ"


def synthetic(
    items: int, humans: int, models: int, seed: int = 17
) -> tuple[list[Item], list[Respondent], Matrix]:
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 10, size=items)
    keys[0] = 0
    item_list = [
        Item(
            uid=f"bench-{j}",
            key=LETTERS[keys[j]],
            options={x: f"option {x} of item {j}" for x in LETTERS},
        )
        for j in range(items)
    ]
    people = [Respondent(f"h{i:03d}", HUMANS, f"person {i}") for i in range(humans)]
    people += [
        Respondent(f"m{i:03d}", MODELS, f"model {i}", text_only=i < 2) for i in range(models)
    ]
    ability = np.linspace(0.15, 0.9, len(people))
    rng.shuffle(ability)
    right = rng.random((len(people), items)) < ability[:, None]
    wrong = (keys[None, :] + rng.integers(1, 10, size=(len(people), items))) % 10
    letters = np.where(right, keys[None, :], wrong).astype(np.int8)
    # The planted wrong key: the stronger half chose B on the first item.
    strong = ability >= np.median(ability)
    letters[strong, 0] = 1
    letters[~strong, 0] = 0
    letters[rng.random(letters.shape) < 0.01] = NO_LETTER
    # Every other respondent skipped about 10 % of the items; the rest answered all (KR-20).
    skipped = rng.random(letters.shape) < 0.1
    skipped[::2] = False
    letters[skipped] = NOT_ANSWERED
    correct = letters == keys[None, :].astype(np.int8)
    seconds = np.where(rng.random(letters.shape) < 0.9, rng.gamma(4.0, 8.0, letters.shape), np.nan)
    seconds[humans:] = np.nan
    return item_list, people, Matrix(letters, correct, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--humans", type=int, default=40)
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    items, people, matrix = synthetic(args.items, args.humans, args.models)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = analyse_matrix(items, people, matrix)
        times.append(time.perf_counter() - started)
    first = result["items"][0]
    assert "possible_wrong_key" in first["flags"], first
    best = min(times)
    print(
        f"item analysis, {args.items:,} items × {len(people)} respondents: "
        f"best {best:.2f} s of {args.repeat} (target < {TARGET_S:.0f} s)"
        f"{'' if best < TARGET_S else '  OVER TARGET'}; "
        f"flags {result['split']['flags']}, KR-20 {result['split']['kr20']}"
    )


if __name__ == "__main__":
    main()
