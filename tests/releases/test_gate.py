"""The quality gate's checks on single items, without a database."""

from __future__ import annotations

from typing import Any

import pytest

from releases.gate import run_gate

LETTERS = "ABCDEFGHIJ"


def candidate(uid: str, **changes: Any) -> dict[str, Any]:
    item = {
        "uid": uid,
        "video_id": "1",
        "question": f"Why is the flask of sample {uid} heated before the filtration step?",
        "options": {
            letter: f"Heated to {n * 5} °C for {n} min" for n, letter in enumerate(LETTERS)
        },
        "answer": "C",
        "question_type": "Conceptual Reasoning",
        "category": "Biology",
        "video_duration": 120.0,
    }
    item.update(changes)
    return {"uid": uid, "item": item, "spans": [(1.0, 2.0)], "flags": [], "accepts": 2}


def options_with(letter: str, text: str) -> dict[str, str]:
    options = candidate("x")["item"]["options"]
    return {**options, letter: text}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("heated to 0 °c for 0 MIN", "options A and D are the same"),
        ("Heated  to 0 °C for 0 min", "options A and D are the same"),
        (" Heated to 0 °C for 0 min\t", "options A and D are the same"),
        ("Heated\xa0to 0 °C for 0 min", "options A and D are the same"),
        ("", "option D is empty"),
        ("   ", "option D is empty"),
    ],
)
def test_options_equal_but_for_case_or_spacing_are_errors(text: str, message: str) -> None:
    report = run_gate([candidate("u1", options=options_with("D", text))], required_accepts=1)
    assert [p.message for p in report.errors] == [f"u1: {message}"]


def test_distinct_options_with_unusual_characters_pass() -> None:
    options = options_with("D", "Heated\xa0to 15 °C for 3 min")
    options["E"] = "Ströme: 2 µL\u200b"
    assert run_gate([candidate("u1", options=options)], required_accepts=1).ok


def test_nine_options_or_a_missing_key_are_errors() -> None:
    nine = dict(list(candidate("x")["item"]["options"].items())[:9])
    report = run_gate(
        [candidate("u1", options=nine), candidate("u2", answer="K")], required_accepts=1
    )
    messages = [p.message for p in report.errors]
    assert "u1: needs exactly ten options A–J, has 9" in messages
    assert "u2: no key among the options" in messages


def test_longest_key_counts_only_a_strictly_longest_key() -> None:
    tie = options_with("C", "Heated to 10 °C for 2 minutes")
    tie["D"] = "Heated to 15 °C for 3 minutes"
    longest = options_with("C", "Heated to 10 °C for 2 minutes, stirring")
    report = run_gate(
        [candidate(f"t{n}", options=tie) for n in range(5)]
        + [candidate(f"l{n}", options=longest) for n in range(5)],
        required_accepts=1,
    )
    [warning] = [p for p in report.warnings if p.code == "longest_key"]
    assert warning.uids == [f"l{n}" for n in range(5)]


def test_near_duplicates_are_found_within_a_video_in_arrival_order() -> None:
    text = "Why is the flask heated to reflux for an hour before the filtration of the solid?"
    items = [
        candidate("a", question="What colour does the solution turn after the base is added?"),
        candidate("b", question=text),
        candidate("c", question=text.replace("?", " at 02:10?")),
        candidate("d", question=text, video_id="2"),
    ]
    [warning] = [
        p for p in run_gate(items, required_accepts=1).warnings if p.code == "near_duplicates"
    ]
    assert warning.message.startswith(
        "1 pair(s) of near-duplicate questions in the same video: b and c"
    )
    assert warning.uids == ["b", "c"]
