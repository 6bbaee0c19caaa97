"""Builders of valid input data for tests."""

from __future__ import annotations

from typing import Any


def make_item(**overrides: Any) -> dict[str, Any]:
    """A valid SciVideoBench item; override any field."""
    item: dict[str, Any] = {
        "video_id": "58827",
        "question_id": "1",
        "question": "What is the purpose of moving the sample between 02:22 and 02:33?",
        "options": {
            letter: f"Option {letter} about the load-lock chamber" for letter in "ABCDEFGHIJ"
        },
        "answer": "D",
        "question_type": "Conceptual Reasoning",
        "discipline": "Chemistry",
        "subject": "Nanomaterials",
        "video_duration": 301.0,
        "timestamp_breakdown": ["02:22-02:33: sample moved to the load-lock chamber"],
        "rationale": "The load-lock keeps the main chamber under vacuum.",
    }
    item.update(overrides)
    return item
