"""The parts of `make interop` that decide its verdict: finding the exported tasks, matching
lmms-eval's numbers to leaderboard cells, and the scripted model's replies. The full run
with lmms-eval itself is `make interop`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from releases.artifacts import lmms_eval_zip
from releases.harness.reply_reader import read_letter
from releases.harness_tasks import task_name
from releases.models import Release
from tests.interop import run_interop
from tests.interop.run_interop import (
    compare,
    hundredths,
    metric_cell,
    runnable_models,
    task_folder_from_zip,
    task_metrics,
)

sys.path.insert(0, str(Path(run_interop.__file__).parent))
from sciannot_scripted.replies import SCRIPT, scripted_reply


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.django_db
def test_it_finds_the_task_in_the_release_task_zip(
    write_items: Callable[..., Path], tmp_path: Path
) -> None:
    items = [
        run_interop.demo_items()[n] | {"video_id": "58827", "video_duration": 300.0}
        for n in range(3)
    ]
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    call_command(
        "freeze_release", "svb", "--version", "1.0.0", stdout=io.StringIO(), stderr=io.StringIO()
    )
    release = Release.objects.get(name="svb", version="1.0.0")

    folder = task_folder_from_zip(lmms_eval_zip(release), dest=tmp_path / "x", layout="task zip")

    assert folder.default_task == task_name(release) == "svb_1_0_0"
    assert folder.cot_task == "svb_1_0_0_cot"
    assert (folder.include_path / "svb_1_0_0.yaml").is_file()
    assert len((folder.include_path.parent / "data/test.jsonl").read_text().splitlines()) == 3


def test_it_finds_default_cot_and_group_in_the_archive_layout(tmp_path: Path) -> None:
    data = _zip(
        {
            "README.md": "card",
            "data/test.jsonl": "{}\n",
            "lmms_eval/svb.yaml": "task: svb\ndataset_path: json\n",
            "lmms_eval/svb_cot.yaml": "include: svb.yaml\ntask: svb_cot\n",
            "lmms_eval/_svb.yaml": "group: svb_all\ntask:\n  - svb\n  - svb_cot\n",
            "lmms_eval/utils.py": "",
        }
    )

    folder = task_folder_from_zip(data, dest=tmp_path / "x", layout="archive")

    assert folder.include_path == tmp_path / "x" / "lmms_eval"
    assert (folder.default_task, folder.cot_task) == ("svb", "svb_cot")
    assert folder.groups == ["svb_all"]


def test_an_archive_without_its_task_folder_or_escaping_it_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no lmms_eval/ folder"):
        task_folder_from_zip(_zip({"data/t.jsonl": ""}), dest=tmp_path / "a", layout="archive")
    with pytest.raises(ValueError, match="outside the archive"):
        task_folder_from_zip(_zip({"../evil.py": ""}), dest=tmp_path / "b", layout="archive")
    assert not (tmp_path / "evil.py").exists()


def test_fractions_become_percentages_and_stderr_is_dropped() -> None:
    results = {
        "results": {
            "svb": {
                "alias": "svb",
                "careful_accuracy,none": 0.4375,
                "careful_accuracy_stderr,none": 0.12,
                "official_accuracy,none": 0.5,
            }
        }
    }
    assert task_metrics(results, "svb") == {
        "careful_accuracy": Decimal("43.7500"),
        "official_accuracy": Decimal("50.0"),
    }
    # A task that already reports percentages is left alone.
    assert task_metrics({"results": {"t": {"acc,none": 43.75}}}, "t") == {"acc": Decimal("43.75")}


def test_metric_names_map_to_leaderboard_cells() -> None:
    assert metric_cell("accuracy") == ("careful", "overall")
    assert metric_cell("careful_Quantitative_Reasoning") == ("careful", "Quantitative Reasoning")
    assert metric_cell("official_rule_biology") == ("official", "Biology")
    assert metric_cell("lmms_eval_accuracy") == ("official", "overall")
    assert metric_cell("official_guessed") is None


def _row(careful: float, official: float) -> dict[str, Any]:
    def cell(acc: float) -> dict[str, Any]:
        return {"correct": 1, "total": 3, "acc": acc}

    empty: dict[str, Any] = {"by_type": {}, "by_category": {}}
    return {
        "name": "m",
        "overall": cell(careful),
        **empty,
        "official": {"overall": cell(official), **empty},
    }


def test_numbers_agree_only_when_equal_at_the_hundredth() -> None:
    metrics = task_metrics(
        {"results": {"t": {"careful_accuracy,none": 1 / 3, "official_accuracy,none": 0.4375}}}, "t"
    )

    same = compare(model="m", task="t", metrics=metrics, row=_row(33.33, 43.75))
    assert [line.agrees for line in same] == [True, True]

    off = compare(model="m", task="t", metrics=metrics, row=_row(33.34, 43.75))
    assert [(line.metric, line.agrees) for line in off] == [
        ("careful_accuracy", False),
        ("official_accuracy", True),
    ]
    # Rounded half-up, as the leaderboard rounds.
    assert hundredths(Decimal("0.125") * 100) == Decimal("12.50")
    assert hundredths(Decimal("12.345")) == Decimal("12.35")


def test_the_script_has_every_kind_of_reply_and_the_careful_reader_agrees_with_it() -> None:
    items = run_interop.demo_items()
    kinds = {meaning for _template, meaning in SCRIPT}
    assert kinds == {"right", "wrong", None}
    assert any(template.count("\n\n") >= 2 for template, _meaning in SCRIPT), "no chain of thought"
    for position, item in enumerate(items * 2):
        reply, letter = scripted_reply(item, position)
        assert read_letter(reply, item["options"]) == letter, reply


def test_demo_items_cover_every_key_type_and_category() -> None:
    items = run_interop.demo_items()
    assert {item["answer"] for item in items} == set("ABCDEFGHIJ")
    assert {item["question_type"] for item in items} == set(run_interop.TYPES)
    assert len({json.dumps(item, sort_keys=True) for item in items}) == len(items)


def test_lmms_eval_without_the_dummy_model_runs_the_scripted_one_and_says_so() -> None:
    # lmms-eval 0.6 has no built-in `dummy`: the run is the plugin's alone, with a note.
    models, notes, problems = runnable_models({"llava", "sciannot_scripted"}, version="0.6.1")
    assert [model for _name, model, _args in models] == ["sciannot_scripted"]
    assert notes == ["lmms-eval 0.6.1 has no `dummy` model: its runs are skipped"]
    assert problems == []


def test_both_models_run_where_both_exist_and_a_missing_plugin_is_a_problem() -> None:
    models, notes, problems = runnable_models({"dummy", "sciannot_scripted"}, version="0.7.3")
    assert [model for _name, model, _args in models] == ["dummy", "sciannot_scripted"]
    assert (notes, problems) == ([], [])
    models, _notes, problems = runnable_models({"dummy"}, version="0.7.3")
    assert [model for _name, model, _args in models] == ["dummy"]
    assert problems == ["lmms-eval 0.7.3 does not offer the `sciannot_scripted` model"]


@pytest.mark.parametrize("version", ["0.5.0", "1.0.0", "0.7"])
def test_the_interop_script_refuses_an_unsupported_lmms_eval_before_installing(
    version: str,
) -> None:
    root = Path(run_interop.__file__).resolve().parents[2]
    env = {**os.environ, "LMMS_EVAL_VERSION": version}
    done = subprocess.run(
        [str(root / "scripts" / "interop.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "supports lmms-eval 0.6.x and 0.7.x" in done.stderr
    assert not (root / f".venv-interop-{version}").exists()
