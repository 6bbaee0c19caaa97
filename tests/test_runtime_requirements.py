"""`make run` installs only the runtime requirements: the app must not need the test tools."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("sciannot", "videos", "reviews", "drafting", "releases", "baselines", "demo")
# Top-level modules that only requirements-dev.txt brings.
DEV_ONLY = {
    "pytest",
    "pytest_django",
    "playwright",
    "schemathesis",
    "moto",
    "locust",
    "datasets",
    "importlinter",
    "mypy",
    "ruff",
}


def imported_top_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_app_imports_nothing_that_only_the_dev_requirements_install() -> None:
    offenders = {
        f"{path.relative_to(ROOT)}: {', '.join(sorted(found))}"
        for package in APP_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (found := imported_top_modules(path) & DEV_ONLY)
    }
    assert not offenders, offenders


def test_the_dev_only_list_names_what_requirements_dev_adds() -> None:
    runtime = (ROOT / "requirements.txt").read_text().lower()
    for module in ("pytest", "playwright", "schemathesis", "moto", "locust", "datasets"):
        assert module not in runtime, f"{module} is a runtime requirement now: update DEV_ONLY"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_installs_the_runtime_set_and_make_test_the_dev_set(tmp_path: Path) -> None:
    def planned(target: str) -> str:
        result = subprocess.run(
            ["make", "-n", target, f"VENV={tmp_path / 'venv'}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
            env={**os.environ, "MAKEFLAGS": ""},
        )
        return result.stdout

    run_plan = planned("run")
    installs = [line for line in run_plan.splitlines() if "install-python.sh" in line]
    assert installs and all("--dev" not in line for line in installs), run_plan
    test_plan = planned("test")
    assert any("install-python.sh --dev" in line for line in test_plan.splitlines()), test_plan
