"""`make interop`: run the real lmms-eval on a demo release and check that its numbers are
the leaderboard's.

In a scratch folder (its own SQLite database, media and broker), it seeds the demo, adds
accepted questions, freezes a release, serves the app, downloads the release's lmms-eval task
over the API, runs lmms-eval's `dummy` model and the scripted plugin model on the default and
chain-of-thought tasks with `--log_samples`, imports every samples file with
`import_predictions`, and prints each number lmms-eval reported beside the leaderboard cell
for the same replies. It exits non-zero when a pair differs at the hundredth, a task is
missing or a run fails; it always prints the whole comparison first.

Usage: python tests/interop/run_interop.py --lmms-python .venv-interop-0.7.3/bin/python
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RELEASE, VERSION, SPLIT = "interop-demo", "1.0.0", "test"
RELEASE_ARGS = ("--release", RELEASE, "--version", VERSION, "--split", SPLIT)
LETTERS = "ABCDEFGHIJ"
TYPES = ("Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning")
CATEGORIES = ("Biology", "Chemistry", "Medicine", "Physics")
DISCIPLINES = ("Biology", "Chemistry", "Medicine", "Physics", "Engineering", "Biochemistry")
# (leaderboard name, lmms-eval --model, --model_args). The dummy model reads a little of every
# video, so a task pointing at a missing file fails instead of passing silently.
MODELS = (
    ("dummy", "dummy", "read_bytes=64"),
    ("scripted", "sciannot_scripted", ""),
)
# lmms-eval's built-in `dummy` model arrived in 0.7; on 0.6 the run goes on with the scripted
# model alone (it opens every video too) and says so. The plugin model must always be there.
OPTIONAL_MODELS = frozenset({"dummy"})


# --- The exported task folder ----------------------------------------------------------------


@dataclass
class TaskFolder:
    """Where lmms-eval should look (`--include_path`) and which tasks it will find there."""

    layout: str  # "archive" (the release archive's lmms_eval/) or "task zip" (lmms-eval.zip)
    include_path: Path
    default_task: str | None
    cot_task: str | None
    all_tasks: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


def _yaml_names(folder: Path) -> tuple[list[str], list[str]]:
    """The `task:` and `group:` names declared by the YAML files under `folder`.

    Read line by line (top-level keys only) so this needs no YAML library; lmms-eval's own
    `!function` tags make a plain YAML loader refuse the files anyway."""
    tasks: list[str] = []
    groups: list[str] = []
    for path in sorted(folder.rglob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^(task|group):\s*['\"]?([^'\"#\s]+)", line)
            if match:
                (tasks if match.group(1) == "task" else groups).append(match.group(2))
    return tasks, groups


def task_folder_from_zip(data: bytes, *, dest: Path, layout: str) -> TaskFolder:
    """Unpack a downloaded archive and find the default and `_cot` tasks in it.

    The release archive carries the task folder as `lmms_eval/` beside `data/`; the older
    single download is a zip of one `<task>/` folder. Both are handled here, and only here.
    """
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            # A member must stay inside the folder it is unpacked into.
            target = (dest / name).resolve()
            if not target.is_relative_to(dest.resolve()):
                raise ValueError(f"archive member {name!r} points outside the archive")
        archive.extractall(dest)
    if layout == "archive" or (dest / "lmms_eval").is_dir():
        # The archive, and the task zip since it carries the archive's layout.
        include = dest / "lmms_eval"
        if not include.is_dir():
            raise ValueError("the release archive has no lmms_eval/ folder")
    else:
        folders = [path for path in dest.iterdir() if path.is_dir()]
        if len(folders) != 1:
            raise ValueError(f"the task zip should hold one folder, not {len(folders)}")
        include = folders[0]
    tasks, groups = _yaml_names(include)
    cot = [name for name in tasks if name.endswith("_cot")]
    plain = [name for name in tasks if not name.endswith("_cot")]
    default = plain[0] if len(plain) == 1 else None
    if default and f"{default}_cot" in cot:
        cot_task: str | None = f"{default}_cot"
    else:
        cot_task = cot[0] if len(cot) == 1 else None
    return TaskFolder(layout, include, default, cot_task, tasks, groups)


def download_task_folder(base_url: str, token: str, *, dest: Path) -> TaskFolder:
    """The release's lmms-eval task as users download it: the archive when the app serves
    one, else the task zip."""
    prefix = f"{base_url}/api/releases/{RELEASE}/{VERSION}"
    for name, layout in (("archive.zip", "archive"), ("lmms-eval.zip", "task zip")):
        request = urllib.request.Request(
            f"{prefix}/{name}", headers={"Authorization": f"Token {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                print(f"  {name}: 404, not served by this version of the app")
                continue
            raise
        print(f"  downloaded {name} ({len(data)} bytes)")
        return task_folder_from_zip(data, dest=dest, layout=layout)
    raise SystemExit("the app serves neither archive.zip nor lmms-eval.zip for the release")


# --- Comparing numbers ------------------------------------------------------------------------


def hundredths(value: float | Decimal) -> Decimal:
    """A percentage rounded half-up to two decimals, as the leaderboard rounds."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def task_metrics(results: dict[str, Any], task: str) -> dict[str, Decimal]:
    """The accuracies lmms-eval reported for a task, as percentages keyed by metric name
    (filter suffix and standard errors dropped). lmms-eval's `mean` aggregation gives
    fractions; a task whose metrics already exceed 1 reports percentages."""
    raw = results.get("results", {}).get(task, {})
    metrics: dict[str, float] = {}
    for key, value in raw.items():
        name = key.split(",")[0]
        if "stderr" in name or name == "alias" or isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            metrics[name] = float(value)
    scale = 1 if any(value > 1 for value in metrics.values()) else 100
    return {name: Decimal(str(value)) * scale for name, value in metrics.items()}


def metric_cell(metric: str) -> tuple[str, str] | None:
    """Which leaderboard cell a metric reports: (scorer, column), or None for a figure that
    is not an accuracy (a count of guesses or unreadable replies)."""
    lowered = metric.lower()
    if any(word in lowered for word in ("guess", "unreadable", "count", "missing")):
        return None
    scorer = "official" if any(word in lowered for word in ("official", "lmms")) else "careful"
    for column in (*TYPES, *CATEGORIES):
        if column.split()[0].lower() in lowered:
            return scorer, column
    return scorer, "overall"


def leaderboard_cell(row: dict[str, Any], scorer: str, column: str) -> dict[str, Any]:
    source = row if scorer == "careful" else row["official"]
    if column == "overall":
        return dict(source["overall"])
    group = "by_type" if column in TYPES else "by_category"
    return dict(source[group].get(column) or {"correct": None, "total": None, "acc": None})


@dataclass
class Comparison:
    model: str
    task: str
    metric: str
    harness: Decimal
    scorer: str | None
    column: str | None
    board: dict[str, Any] | None

    @property
    def agrees(self) -> bool | None:
        if self.board is None:
            return None
        acc = self.board.get("acc")
        if acc is None:
            # A column with no items: the leaderboard shows no percentage, the task NaN.
            return not self.board.get("total") and self.harness.is_nan()
        return hundredths(self.harness) == hundredths(Decimal(str(acc)))


def compare(
    *, model: str, task: str, metrics: dict[str, Decimal], row: dict[str, Any]
) -> list[Comparison]:
    """Every number lmms-eval reported for a task beside the leaderboard cell it claims to be."""
    lines = []
    for metric, value in sorted(metrics.items()):
        cell = metric_cell(metric)
        if cell is None:
            lines.append(Comparison(model, task, metric, value, None, None, None))
            continue
        scorer, column = cell
        board = leaderboard_cell(row, scorer, column)
        lines.append(Comparison(model, task, metric, value, scorer, column, board))
    return lines


def unreported(lines: list[Comparison], row: dict[str, Any]) -> list[str]:
    """The leaderboard's overall cells no lmms-eval metric stands for."""
    covered = {(line.scorer, line.column) for line in lines}
    missing = []
    for scorer in ("careful", "official"):
        if (scorer, "overall") not in covered:
            cell = leaderboard_cell(row, scorer, "overall")
            missing.append(f"{scorer} overall {cell['acc']} ({cell['correct']}/{cell['total']})")
    return missing


def comparison_table(lines: list[Comparison]) -> str:
    header = ("model", "task", "lmms-eval metric", "lmms-eval", "leaderboard cell", "leaderboard")
    rows = [header]
    for line in lines:
        if line.board is None:
            rows.append((line.model, line.task, line.metric, f"{line.harness:.2f}", "—", "—"))
            continue
        acc = line.board.get("acc")
        board = "—" if acc is None else f"{hundredths(Decimal(str(acc)))}"
        counts = f" ({line.board.get('correct')}/{line.board.get('total')})"
        mark = "  ok" if line.agrees else "  DIFFERS"
        rows.append(
            (
                line.model,
                line.task,
                line.metric,
                f"{hundredths(line.harness)}",
                f"{line.scorer} {line.column}",
                board + counts + mark,
            )
        )
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )


# --- The scratch app --------------------------------------------------------------------------


def demo_items() -> list[dict[str, Any]]:
    """Accepted questions over the demo videos: every key letter, type and category, and
    options a reply can name by their text."""
    items = []
    for n in range(20):
        answer = LETTERS[(7 * n + 2) % 10]
        kind = TYPES[n % 3]
        if kind == "Quantitative Reasoning":
            options = {letter: f"{5 * (i + 1)} N" for i, letter in enumerate(LETTERS)}
        else:
            options = {
                letter: f"The operator uses reagent {letter.lower()}{n} to {verb}"
                for letter, verb in zip(
                    LETTERS,
                    (
                        "cool it",
                        "heat it",
                        "stir it",
                        "dry it",
                        "weigh it",
                        "seal it",
                        "rinse it",
                        "label it",
                        "mix it",
                        "store it",
                    ),
                    strict=True,
                )
            }
        start = 10 + 5 * n
        items.append(
            {
                "video_id": f"demo-{n % 5 + 1}",
                "question_id": f"interop-{n + 1}",
                "question": (
                    f"Interop check {n + 1}: what happens between {start // 60:02d}:"
                    f"{start % 60:02d} and {(start + 4) // 60:02d}:{(start + 4) % 60:02d}?"
                ),
                "options": options,
                "answer": answer,
                "question_type": kind,
                "discipline": DISCIPLINES[n % len(DISCIPLINES)],
                "timestamp_breakdown": [f"00:{start % 60:02d}-00:{(start + 4) % 60:02d}: step"],
                "rationale": "Seen on the clock in the video.",
            }
        )
    return items


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ScratchApp:
    """The app on its own SQLite database and media under `var`, run with the checkout's
    Python; nothing reaches the PostgreSQL or Redis a developer may have running."""

    def __init__(self, var: Path, python: str) -> None:
        self.var = var
        self.python = python
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "SCIANNOT_SQLITE_PATH")
            and not key.startswith(("AWS_", "STORAGE"))
        }
        self.env.update(
            DJANGO_SETTINGS_MODULE="sciannot.settings",
            SCIANNOT_VAR_DIR=str(var),
            SITE_URL=self.url,
            DJANGO_DEBUG="1",
        )
        self.server: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [self.python, str(ROOT / "manage.py"), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(
                f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}".rstrip()
            )
        return done.stdout

    def start(self) -> None:
        log = (self.var / "runserver.log").open("wb")
        self.server = subprocess.Popen(
            [
                self.python,
                str(ROOT / "manage.py"),
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answers, even if a check is unhappy
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"the app did not start on {self.url}; see {self.var}/runserver.log")

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=20)


# --- lmms-eval --------------------------------------------------------------------------------


def versions(python: str) -> str:
    code = (
        "import importlib.metadata as m\n"
        "print(', '.join(f'{p} {m.version(p)}' for p in "
        "('lmms-eval', 'torch', 'datasets', 'transformers')))"
    )
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def available_models(python: str) -> set[str]:
    """The model names the installed lmms-eval offers, the plugin's included."""
    code = (
        "import json, lmms_eval.models as m\n"
        "print(json.dumps(sorted(m.MODEL_REGISTRY_V2.list_canonical_model_ids())))"
    )
    env = dict(os.environ)
    env.update(
        LMMS_EVAL_PLUGINS="sciannot_scripted",
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])),
    )
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True, env=env)
    names: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return set(names)


def runnable_models(
    available: set[str], *, version: str
) -> tuple[list[tuple[str, str, str]], list[str], list[str]]:
    """The models to run, notes on the optional ones this lmms-eval lacks, and problems for
    required ones it lacks."""
    chosen: list[tuple[str, str, str]] = []
    notes: list[str] = []
    problems: list[str] = []
    for name, model, model_args in MODELS:
        if model in available:
            chosen.append((name, model, model_args))
        elif model in OPTIONAL_MODELS:
            notes.append(f"lmms-eval {version} has no `{model}` model: its runs are skipped")
        else:
            problems.append(f"lmms-eval {version} does not offer the `{model}` model")
    return chosen, notes, problems


def run_lmms_eval(
    *,
    python: str,
    model: str,
    model_args: str,
    task: str,
    folder: TaskFolder,
    out: Path,
    videos: Path,
    cwd: Path,
    hf_home: Path,
) -> tuple[dict[str, Any], Path]:
    """Run one model on one task; lmms-eval's results JSON and its samples file."""
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [python, "-m", "lmms_eval", "--model", model]
    if model_args:
        command += ["--model_args", model_args]
    command += [
        "--tasks", task, "--include_path", str(folder.include_path), "--batch_size", "1",
        "--log_samples", "--output_path", str(out), "--verbosity", "WARNING",
    ]  # fmt: skip
    env = dict(os.environ)
    env.update(
        SCIANNOT_VIDEO_DIR=str(videos),
        LMMS_EVAL_PLUGINS="sciannot_scripted",
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")])),
        HF_HOME=str(hf_home),
        HF_DATASETS_OFFLINE="1",
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    log = out.with_suffix(".log")
    with log.open("w") as handle:
        done = subprocess.run(
            command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False
        )
    samples = sorted(out.rglob(f"*_samples_{task}.jsonl"))
    results = sorted(out.rglob("*_results.json"))
    if done.returncode != 0 or not samples or not results:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise RuntimeError(
            f"lmms-eval {model} on {task} exited {done.returncode} "
            f"(samples: {len(samples)}, results: {len(results)}); log {log}:\n{tail}"
        )
    return json.loads(results[-1].read_text()), samples[-1]


# --- The run ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lmms-python", required=True, help="Python of the lmms-eval venv.")
    parser.add_argument("--python", default=sys.executable, help="Python of the app's venv.")
    parser.add_argument("--work", default=str(ROOT / "var" / "interop"), help="Scratch folder.")
    args = parser.parse_args(argv)
    # Absolute, but not resolved: a venv's python is a symlink that must keep its own path.
    args.lmms_python = os.path.abspath(args.lmms_python)
    args.python = os.path.abspath(args.python)

    work = Path(args.work).resolve()
    if work.exists():
        shutil.rmtree(work)
    (work / "var").mkdir(parents=True)
    # lmms-eval runs from an unrelated folder: the task must not depend on the working dir.
    elsewhere = work / "cwd"
    elsewhere.mkdir()
    installed = versions(args.lmms_python)
    print(f"versions: {installed}")
    print(f"scratch folder: {work}")

    app = ScratchApp(work / "var", args.python)
    app.manage("migrate", "--noinput")
    print("seeding the demo (tiny synthetic videos)…")
    app.manage("seed_demo", "--width", "160", "--height", "96", "--fps", "5")
    items_file = work / "interop-items.jsonl"
    items_file.write_text(
        "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in demo_items())
    )
    app.manage("import_questions", str(items_file), "--status", "accepted")
    frozen = app.manage("freeze_release", RELEASE, "--version", VERSION, "--split", SPLIT)
    print("  " + next(line for line in frozen.splitlines() if line.startswith("Froze")))
    token = app.manage("drf_create_token", "curator").split()[2]
    videos = work / "videos"
    videos.mkdir()
    for path in (work / "var" / "media" / "videos").rglob("originals/jove_*"):
        shutil.copy2(path, videos / path.name)

    lmms_version = installed.split(",")[0].removeprefix("lmms-eval ")
    models, notes, problems = runnable_models(
        available_models(args.lmms_python), version=lmms_version
    )
    lines: list[Comparison] = []
    app.start()
    try:
        folder = download_task_folder(app.url, token, dest=work / "export")
    finally:
        app.stop()
    print(
        f"  task folder ({folder.layout}): tasks {folder.all_tasks}, groups {folder.groups}; "
        f"default {folder.default_task}, chain-of-thought {folder.cot_task}"
    )
    tasks = [("default", folder.default_task), ("cot", folder.cot_task)]
    for kind, task in tasks:
        if task is None:
            problems.append(f"the export has no {kind} task (found {folder.all_tasks})")
    for name, model, model_args in models:
        for kind, task in tasks:
            if task is None:
                continue
            label = f"{name}-{kind}"
            print(f"running lmms-eval: {model} on {task}…")
            try:
                results, samples = run_lmms_eval(
                    python=args.lmms_python,
                    model=model,
                    model_args=model_args,
                    task=task,
                    folder=folder,
                    out=work / "runs" / label,
                    videos=videos,
                    cwd=elsewhere,
                    hf_home=work / "hf",
                )
            except RuntimeError as exc:
                problems.append(str(exc))
                continue
            report = json.loads(
                app.manage(
                    "import_predictions", label, str(samples), *RELEASE_ARGS, "--format", "json"
                )
            )
            notes.append(
                f"{label}: {report['scored']} scored, {len(report['missing'])} missing, "
                f"{len(report['unmatched'])} unmatched, {report['unreadable']} unreadable"
            )
            board = json.loads(app.manage("leaderboard", *RELEASE_ARGS, "--format", "json"))
            row = next(row for row in board["rows"] if row["name"] == label)
            found = compare(model=label, task=task, metrics=task_metrics(results, task), row=row)
            lines += found
            for cell in unreported(found, row):
                notes.append(f"{label}: the leaderboard's {cell} has no lmms-eval metric")

    print()
    print(comparison_table(lines))
    print()
    for note in notes:
        print(note)
    differing = [line for line in lines if line.agrees is False]
    for line in differing:
        problems.append(
            f"{line.model} {line.metric}: lmms-eval {hundredths(line.harness)} ≠ leaderboard "
            f"{line.scorer} {line.column} {line.board and line.board.get('acc')}"
        )
    if not lines:
        problems.append("no lmms-eval number to compare")
    if problems:
        print(f"\nINTEROP FAILED ({len(problems)} problem(s)):")
        for problem in problems:
            print(f"- {problem}")
        return 1
    print(f"\nINTEROP OK: {len(lines)} lmms-eval numbers equal the leaderboard's.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
