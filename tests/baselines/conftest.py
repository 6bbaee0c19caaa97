"""A frozen release of twelve items with secret-looking rationales and notes, and evaluators."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from releases.models import Release
from tests.factories import make_item
from tests.releases.conftest import freeze

LETTERS = "ABCDEFGHIJ"
TYPES = ["Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning"]


def secret_items() -> list[dict[str, Any]]:
    items = []
    for n in range(12):
        items.append(
            make_item(
                video_id=["1001", "1002"][n % 2],
                question_id=str(n + 1),
                question=f"What happens to sample {n} between 00:{10 + n:02d} and 00:{12 + n:02d}?",
                options={letter: f"Outcome {letter.lower()}{n}" for letter in LETTERS},
                answer=LETTERS[(3 * n) % 10],
                question_type=TYPES[n % 3],
                discipline=["Biology", "Chemistry", "Physics", "Medicine"][n % 4],
                rationale=f"SECRET-RATIONALE-{n}",
                timestamp_breakdown=[f"00:{10 + n:02d}-00:{12 + n:02d}: SECRET-NOTE-{n}"],
            )
        )
    return items


@pytest.fixture
def release(db: None, write_items: Callable[..., Path]) -> Release:
    call_command(
        "import_questions",
        str(write_items(secret_items())),
        "--status",
        "accepted",
        stdout=io.StringIO(),
    )
    freeze("svb", "--version", "1.0.0")
    return Release.objects.get()


@pytest.fixture
def evan(db: None) -> Any:
    from sciannot.accounts.models import User

    return User.objects.create_user(username="evan", password="pw-evan", role="evaluator")


def open_study(*args: str) -> str:
    out = io.StringIO()
    call_command("baseline_study", *args, stdout=out)
    return out.getvalue()


# The keys of the twelve items, in release order.
SECRET_KEYS = "AGCIEADJFBHD"
ANALYSIS_EVALUATORS = [f"ia{n}" for n in range(6)]


def _wrong(key: str) -> str:
    return LETTERS[(LETTERS.index(key) + 1) % 10]


def planted_answers() -> dict[str, str]:
    """Six evaluators' letters for the twelve items. The strong three (ia0–ia2) get almost
    everything right but all choose B on the first item (keyed A): a planted wrong key that
    the weak three, who get little else right, answer "correctly"."""
    right_on = {
        "ia0": set(range(1, 12)),
        "ia1": set(range(1, 12)) - {11},
        "ia2": set(range(1, 12)) - {10, 11},
        "ia3": {1, 2, 3, 4},
        "ia4": {1, 2},
        "ia5": {1},
    }
    answers = {}
    for name, right in right_on.items():
        letters = [key if n in right else _wrong(key) for n, key in enumerate(SECRET_KEYS)]
        letters[0] = "B" if name in ("ia0", "ia1", "ia2") else "A"
        answers[name] = "".join(letters)
    return answers


def seed_analysis(release: Release, tmp_path: Path) -> dict[str, str]:
    """A closed study of six evaluators answering `planted_answers`, and three imported model
    runs: two that saw the video and one text-only run, right on the second item only.
    Returns each model's letters."""
    from baselines.models import Study
    from baselines.services import show_item, study_close, submit_answer
    from sciannot.accounts.models import User

    for name in ANALYSIS_EVALUATORS:
        User.objects.create_user(username=name, password=f"pw-{name}", role="evaluator")
    open_study(
        "item analysis",
        "--release",
        release.name,
        "--version",
        release.version,
        "--evaluators",
        ",".join(ANALYSIS_EVALUATORS),
    )
    study = Study.objects.get(name="item analysis")
    positions = dict(release.items.filter(split="test").values_list("pk", "position"))
    answers = planted_answers()
    for participation in study.participants.select_related("evaluator"):
        letters = answers[participation.evaluator.username]
        while (shown := show_item(participation)) is not None:
            index = positions[participation.order[shown.position]]
            submit_answer(
                participation=participation, position=shown.position, letter=letters[index]
            )
    study_close(study)
    models = {
        "vlm-large (video)": SECRET_KEYS,
        "vlm-small (video)": "".join(
            key if n % 3 != 2 else _wrong(key) for n, key in enumerate(SECRET_KEYS)
        ),
        "llm (text only)": "".join(
            key if n == 1 else _wrong(key) for n, key in enumerate(SECRET_KEYS)
        ),
    }
    uids = list(
        release.items.filter(split="test").order_by("position").values_list("uid", flat=True)
    )
    for model, letters in models.items():
        path = tmp_path / f"{model.split()[0]}.jsonl"
        path.write_text(
            "".join(
                json.dumps({"uid": uid, "prediction": f"({letter})"}) + "\n"
                for uid, letter in zip(uids, letters, strict=True)
            )
        )
        call_command(
            "import_predictions",
            model,
            str(path),
            "--release",
            release.name,
            "--version",
            release.version,
            stdout=io.StringIO(),
        )
    return models
