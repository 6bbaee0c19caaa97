"""Accepted questions to freeze: three videos, two categories, varied keys and ids."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tests.factories import make_item

LETTERS = "ABCDEFGHIJ"


def accepted_items() -> list[dict[str, Any]]:
    items = []
    for n in range(12):
        video = ["58827", "1002", "7"][n % 3]
        items.append(
            make_item(
                video_id=video,
                question_id=str(n // 3 + 1) if n != 10 else "10",
                question=f"What is done between 00:{10 + n:02d} and 00:{12 + n:02d} in step {n}?",
                options={letter: f"{n}: 5 µL of reagent {letter}  " for letter in LETTERS},
                answer=LETTERS[(3 * n + 1) % 10],
                question_type=["Conceptual Reasoning", "Quantitative Reasoning"][n % 2],
                discipline=["Chemistry", "Biology", "Physics"][n % 3],
                timestamp_breakdown=[f"00:{10 + n:02d}-00:{12 + n:02d}: step {n} «shown»"],
            )
        )
    return items


@pytest.fixture
def accepted(db: None, write_items: Callable[..., Path]) -> list[dict[str, Any]]:
    items = accepted_items()
    call_command(
        "import_questions", str(write_items(items)), "--status", "accepted", stdout=io.StringIO()
    )
    return items


def freeze(*args: str) -> str:
    out = io.StringIO()
    call_command("freeze_release", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()
