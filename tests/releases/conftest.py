"""Accepted questions to freeze: three videos, two categories, varied keys and ids."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_item

LETTERS = "ABCDEFGHIJ"


def warnings_confirmed(client: Client, form: dict[str, Any]) -> dict[str, Any]:
    """`form` with the confirmation of its gate's warnings, as the page's confirm button
    sends it: asked for by a first freeze that freezes nothing."""
    page = client.post("/releases/new/", {**form, "action": "freeze"}).content.decode()
    found = re.search(r'name="confirm_warnings" value="([0-9a-f]+)"', page)
    return {**form, "confirm_warnings": found.group(1) if found else ""}


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
