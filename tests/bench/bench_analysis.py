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
import shutil
import subprocess
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
VAR = ROOT / "var" / "bench-analysis"

# Model runs over the frozen split, as imported runs would leave them (ability varies by run).
RUNS = """
import random, sys
import django
django.setup()
from baselines.models import ModelRun, Prediction
from releases.models import Release
release = Release.objects.get()
from baselines.predictions import split_facts
items = [(f.pk, f.answer, f.question_type, f.category) for f in split_facts(release, "test")]
rng = random.Random(5)
for n in range(int(sys.argv[1])):
    run = ModelRun.objects.create(release=release, split="test", model=f"bench-model-{n}",
                                  format="jsonl", file_name="bench.jsonl", file_sha256="0" * 64,
                                  lines=len(items))
    skill = 0.2 + 0.6 * n / max(1, int(sys.argv[1]) - 1)
    rows = []
    for pk, answer, question_type, category in items:
        letter = answer if rng.random() < skill else rng.choice("ABCDEFGHIJ")
        rows.append(Prediction(run=run, item_id=pk, question_type=question_type,
                               category=category, careful_letter=letter,
                               careful_correct=letter == answer))
    Prediction.objects.bulk_create(rows, batch_size=5000)
"""
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
    parser.add_argument(
        "--db-items",
        type=int,
        default=10_000,
        help="items of the end-to-end `item_analysis` run over a database (0: skip it)",
    )
    parser.add_argument("--db-runs", type=int, default=20)
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
    if args.db_items:
        end_to_end(args.db_items, args.db_runs)


def end_to_end(items: int, runs: int) -> None:
    """`item_analysis --format json` in a child process over a frozen release of `items` items
    with `runs` model runs: the command as a curator runs it, gathering included."""
    from tests.bench.bench_import import bench_environment, generate, run_measured

    shutil.rmtree(VAR, ignore_errors=True)
    VAR.mkdir(parents=True)
    env, database = bench_environment(VAR, "_analysis_bench")
    env["DJANGO_SETTINGS_MODULE"] = "sciannot.settings"
    python = sys.executable

    def manage(*command: str) -> None:
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )

    manage("migrate", "--noinput", "-v", "0")
    source = VAR / "items.jsonl"
    generate(source, items, max(1, items // 10), seed=items)
    manage("import_questions", str(source), "--status", "accepted")
    manage("freeze_release", "bench", "--version", "1.0.0")
    subprocess.run(
        [python, "-c", RUNS, str(runs)], cwd=ROOT, env=env, check=True, capture_output=True
    )
    seconds, peak, output = run_measured(
        [
            python,
            "manage.py",
            "item_analysis",
            "--release",
            "bench",
            "--version",
            "1.0.0",
            "--format",
            "json",
        ],
        env,
    )
    print(
        f"item_analysis command, {items:,} items × {runs} model runs on {database}: "
        f"{seconds:.2f} s whole command, peak {peak:.0f} MB ({len(output):,} bytes of JSON)"
    )


if __name__ == "__main__":
    main()
