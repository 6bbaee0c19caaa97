"""The reply reader against a corpus of replies in the forms models produce, with their truth:
the careful reader never misreads, and the official rule reads what the official
SciVideoBench task reads."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from releases.harness.reply_reader import (
    LETTERS,
    official_answer,
    official_guess,
    official_letter,
    official_prompt,
    official_question,
    read_letter,
    release_key,
)

CORPUS_PATH = Path(__file__).parent / "data" / "reply_corpus.jsonl"


def corpus() -> list[dict[str, Any]]:
    with CORPUS_PATH.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def test_the_corpus_covers_every_letter_and_the_hard_forms() -> None:
    replies = corpus()
    assert len(replies) >= 150
    letters = Counter(reply["letter"] for reply in replies)
    assert set(LETTERS) <= set(letters) and min(letters[x] for x in LETTERS) >= 15
    assert letters[None] >= 15
    forms = {reply["form"] for reply in replies}
    assert {"cot", "boxed", "pick", "settles", "option-text", "mentions-then-final"} <= forms
    assert all(sorted(reply["options"]) == list(LETTERS) for reply in replies)


def test_the_careful_reader_misreads_nothing_in_the_corpus(
    record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    misread: list[tuple[int, str, str | None]] = []
    unreadable: list[tuple[int, str, str | None]] = []
    for reply in corpus():
        letter = read_letter(reply["reply"], reply["options"])
        if letter == reply["letter"]:
            continue
        (unreadable if letter is None else misread).append((reply["id"], reply["form"], letter))
    with capsys.disabled():
        print(
            f"\nreply corpus: {len(corpus())} replies, {len(misread)} misread, "
            f"{len(unreadable)} readable replies left unreadable"
        )
    record_property("unreadable", len(unreadable))
    assert misread == []
    assert unreadable == []


@pytest.mark.parametrize(
    ("reply", "letter"),
    [
        ("A close look at the gauge settles it: H.", "H"),
        ("The answer is a matter of timing; I pick C.", "C"),
        ("I cannot tell from the video.", None),
        ("Based on the video, the sample is heated first.", None),
        ("Answer: I think it's C.", "C"),
        ("First B looked right, but the reading drops, so the answer is G.", "G"),
        ("Based on the video, the answer is (C)", "C"),
        ("E. 25 N", "E"),
        ("I think the correct option is h.", "H"),
        ("Fifteen newtons: 15 N", "C"),
        ("It must be 50 N", "J"),
        ("Either (A) or (B).", None),
    ],
)
def test_the_issues_examples(reply: str, letter: str | None) -> None:
    options = {x: f"{5 * (n + 1)} N" for n, x in enumerate(LETTERS)}
    assert read_letter(reply, options) == letter


def test_the_official_rule_reads_what_the_official_task_reads_on_the_corpus() -> None:
    # `official` was recorded by running the official task's extraction on each reply
    # (None: it found no letter and would guess at random).
    different = [
        (reply["id"], reply["official"], official_letter(reply["reply"]))
        for reply in corpus()
        if official_letter(reply["reply"]) != reply["official"]
    ]
    assert different == []


@pytest.mark.parametrize(
    ("reply", "letter"),
    [
        # Its prefixes are deleted, so "The answer is" leaves no T… to find; then the first
        # capital A–L anywhere counts, inside words too.
        ("The answer is (C)", "C"),
        ("Based on the video, the answer is (C)", "B"),
        ("Answer: Option H", "H"),
        ("answer: C", "C"),  # prefixes are matched as written: lower-case "answer:" stays
        ("I cannot tell.", "I"),
        ("look: K.", "K"),  # its search runs to L, so a K is read and scored wrong
        ("Look: K.", "L"),
        ("no capital letter here", None),
        # Long replies with no A–J at all are given up on even when a K or L is in them.
        (
            "this reply runs on for far more than sixteen words and names no option at all "
            "except maybe the Kelvin scale",
            None,
        ),
        # "Answer:" goes first, so the boxed prefix no longer matches and "Final" gives F.
        ("### Final Answer:\n$$\\boxed{E}$$", "F"),
        ("  \n D \n", "D"),
    ],
)
def test_the_official_rule_case_by_case(reply: str, letter: str | None) -> None:
    assert official_letter(reply) == letter


def test_the_official_guess_is_seeded_by_the_release_and_the_item_only() -> None:
    key = release_key("svb", "1.0.0")
    assert key == "svb@1.0.0"
    guesses = [official_guess(key, f"q_{n}") for n in range(400)]
    assert set(guesses) == set(LETTERS)
    # Spread like chance: no letter far from a tenth of the guesses.
    assert max(Counter(guesses).values()) < 70
    assert official_guess(key, "q_7") == official_guess("svb@1.0.0", "q_7")
    assert [official_guess("svb@1.0.1", f"q_{n}") for n in range(400)] != guesses
    assert official_answer("no idea", release=key, uid="q_7") == (official_guess(key, "q_7"), True)
    assert official_answer("Answer: D", release=key, uid="q_7") == ("D", False)


@pytest.mark.parametrize(
    ("question", "duration", "asked"),
    [
        # Recorded from the official task's own rewriting of each question.
        (
            "What is the purpose of moving the sample between 02:22 and 02:33?",
            301.0,
            "What is the purpose of moving the sample between frame 142 and frame 153?",
        ),
        (
            "Why is the flask stirred from 06:15–06:36?",
            420.7,
            "Why is the flask stirred from frame 375 to frame 396?",
        ),
        (
            "Between 6:15-6:36 and at 10:00, what changes?",
            900.0,
            "Between frame 375 to frame 396 and at frame 600, what changes?",
        ),
        # Ratios that look like times are rewritten too, as the official prompt does.
        (
            "What happens at 02:05 when the 1:10 dilution is added?",
            200.0,
            "What happens at frame 125 when the frame 70 dilution is added?",
        ),
        ("A 1:100 dilution at 12:345?", 1000.5, "A frame 700 dilution at frame 7545?"),
        # A point followed by a dash is neither a range nor a point to it.
        ("What is seen at 02:05 - the plateau?", 300.0, "What is seen at 02:05 - the plateau?"),
        ("At 00:30 of a 59.9 s clip", 59.9, "At frame 30 of a 59.9 s clip"),
    ],
)
def test_the_official_prompt_asks_with_frames(question: str, duration: float, asked: str) -> None:
    assert official_question(question, duration) == asked


def test_the_official_prompt_lists_the_options_in_letter_order() -> None:
    options = {x: f"{5 * (n + 1)} N" for n, x in reversed(list(enumerate(LETTERS)))}
    prompt = official_prompt(
        "What force acts at 00:05?", options, 60.0, post_prompt="Answer with the letter."
    )
    assert prompt.splitlines() == [
        "What force acts at frame 5?",
        *(f"{x}. {5 * (n + 1)} N" for n, x in enumerate(LETTERS)),
        "Answer with the letter.",
    ]
    with pytest.raises(ValueError, match="at least one second"):
        official_question("at 00:01", 0.5)
