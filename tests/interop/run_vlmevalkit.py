"""`make interop-vlmevalkit`: run the release archive's VLMEvalKit dataset in the real
VLMEvalKit and check that its numbers are the leaderboard's.

In a scratch folder (its own SQLite database and media), it seeds the demo, adds accepted
questions, freezes a release, downloads `archive.zip` over the API, and runs
`vlmevalkit_driver.py` with VLMEvalKit's Python: the dataset is built on VLMEvalKit's
`VideoBaseDataset`, every prompt is built, and a set of replies (every reply form the reader
knows, unreadable ones included) is scored by the dataset's `evaluate`. The same replies are
imported with `import_predictions`; every careful and official-rule accuracy is printed beside
the leaderboard's cell. It exits non-zero on any difference, a bad prompt or a failed run.

Usage: python tests/interop/run_vlmevalkit.py --vlmeval-python .venv-vlmeval/bin/python
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from run_interop import (
    LETTERS,
    RELEASE,
    RELEASE_ARGS,
    SPLIT,
    VERSION,
    ScratchApp,
    demo_items,
    hundredths,
    leaderboard_cell,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODEL = "vlmevalkit-scripted"


def reply_for(position: int, row: dict[str, str]) -> str:
    """A reply in one of the forms models give: right or wrong, by letter or by option text,
    unreadable or empty, so every rule and both counts are exercised."""
    answer = row["answer"]
    wrong = LETTERS[(LETTERS.index(answer) + 3) % 10]
    forms = (
        f"Answer: {answer}",
        f"({wrong})",
        f"The answer is {answer}.",
        row[answer],
        "I cannot tell from the video.",
        "",
        f"{wrong}",
        f"A close look at the second step settles it: {answer}.",
    )
    return forms[position % len(forms)]


def versions(python: str) -> str:
    code = (
        "import importlib.metadata as m\n"
        "print(', '.join(f'{p} {m.version(p)}' for p in "
        "('vlmeval', 'torch', 'pandas', 'numpy')))"
    )
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def compare(table: list[dict[str, Any]], row: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The printed lines and the differences: VLMEvalKit's accuracy beside the leaderboard's
    (correct/total too), per rule and group."""
    lines, problems = [], []
    for entry in table:
        board = leaderboard_cell(row, entry["rule"], entry["name"])
        ours = None if entry["acc"] is None else hundredths(entry["acc"])
        theirs = None if board.get("acc") is None else hundredths(board["acc"])
        same = ours == theirs and (
            board.get("total") in (None, 0) or (entry["correct"], entry["total"])
            == (board.get("correct"), board.get("total"))
        )  # fmt: skip
        lines.append(
            f"{entry['rule']:<9} {entry['name']:<24} vlmevalkit {ours!s:>7} "
            f"({entry['correct']}/{entry['total']})  leaderboard {theirs!s:>7} "
            f"({board.get('correct')}/{board.get('total')})  {'ok' if same else 'DIFFERS'}"
        )
        if not same:
            problems.append(f"{entry['rule']} {entry['name']}: {ours} ≠ {theirs}")
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vlmeval-python", required=True, help="Python of VLMEvalKit's venv.")
    parser.add_argument("--python", default=sys.executable, help="Python of the app's venv.")
    parser.add_argument("--work", default=str(ROOT / "var" / "interop-vlmevalkit"))
    args = parser.parse_args(argv)
    vlmeval_python = os.path.abspath(args.vlmeval_python)
    work = Path(args.work).resolve()
    if work.exists():
        shutil.rmtree(work)
    (work / "var").mkdir(parents=True)
    print(f"versions: {versions(vlmeval_python)}")
    print(f"scratch folder: {work}")

    app = ScratchApp(work / "var", os.path.abspath(args.python))
    app.manage("migrate", "--noinput")
    app.manage("seed_demo", "--width", "160", "--height", "96", "--fps", "5")
    items_file = work / "items.jsonl"
    items_file.write_text("".join(json.dumps(item) + "\n" for item in demo_items()))
    app.manage("import_questions", str(items_file), "--status", "accepted")
    app.manage("freeze_release", RELEASE, "--version", VERSION, "--split", SPLIT)
    token = app.manage("drf_create_token", "curator").split()[2]
    videos = work / "videos"
    videos.mkdir()
    for path in (work / "var" / "media" / "videos").rglob("originals/jove_*"):
        shutil.copy2(path, videos / path.name)
    app.start()
    try:
        request = urllib.request.Request(
            f"{app.url}/api/releases/{RELEASE}/{VERSION}/archive.zip",
            headers={"Authorization": f"Token {token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            archive = response.read()
    finally:
        app.stop()
    folder = work / "export"
    zipfile.ZipFile(io.BytesIO(archive)).extractall(folder)

    tsv = (folder / "data" / f"{SPLIT}.tsv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(tsv), delimiter="\t"))
    replies = {row["uid"]: reply_for(n, row) for n, row in enumerate(rows)}
    (work / "replies.json").write_text(json.dumps(replies))
    (work / "replies.jsonl").write_text(
        "".join(json.dumps({"uid": uid, "prediction": r}) + "\n" for uid, r in replies.items())
    )

    done = subprocess.run(
        [vlmeval_python, str(HERE / "vlmevalkit_driver.py"), str(folder), str(videos),
         str(work / "replies.json"), str(work / "vlmeval")],
        cwd=work, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        print(done.stdout + done.stderr)
        print("\nINTEROP FAILED: the VLMEvalKit run failed")
        return 1
    found = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"dataset {found['dataset']} on {found['base']}: {found['rows']} rows")

    app.manage(
        "import_predictions", MODEL, str(work / "replies.jsonl"), *RELEASE_ARGS, "--format", "json"
    )
    board = json.loads(app.manage("leaderboard", *RELEASE_ARGS, "--format", "json"))
    row = next(row for row in board["rows"] if row["name"] == MODEL)
    lines, problems = compare(found["table"], row)
    print("\n".join(lines))
    problems = list(found["problems"]) + problems
    if not found["table"]:
        problems.append("VLMEvalKit's evaluate returned no rows")
    if problems:
        print(f"\nINTEROP FAILED ({len(problems)} problem(s)):")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print(f"\nINTEROP OK: {len(lines)} VLMEvalKit numbers equal the leaderboard's.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
