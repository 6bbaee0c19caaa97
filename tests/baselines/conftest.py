"""A frozen release of twelve items with secret-looking rationales and notes, and evaluators."""

from __future__ import annotations

import io
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
