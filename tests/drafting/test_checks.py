"""The grounding check on candidates, without any LLM."""

from __future__ import annotations

from typing import Any

from drafting.checks import gives_answer_away, grounding_report

CUES = [(0.0, 5.0, "The sample is set up."), (10.0, 15.0, "The flask is heated to 80 degrees.")]


def candidate(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "question": "To what temperature is the flask heated between 00:10 and 00:14?",
        "options": {letter: f"{40 + 10 * n} degrees" for n, letter in enumerate("ABCDEFGHIJ")},
        "answer": "E",
        "question_type": "Quantitative Reasoning",
        "rationale": "Said at 00:11.",
        "evidence": [{"start": 10.0, "end": 14.0, "note": "heating"}],
    }
    item.update(overrides)
    return item


def test_a_grounded_candidate_has_no_problems_and_reports_its_overlap() -> None:
    report = grounding_report(candidate(), duration=20.0, cues=CUES)
    assert report["problems"] == []
    assert report["spans"][0]["matched"] == ["80", "degrees", "flask", "heated"]
    # Of temperature, flask, heated, 80, degrees (times are not words).
    assert report["overlap"] == 0.8


def test_each_problem_is_named() -> None:
    bad = candidate(
        question="What is heated at 00:02, reaching 80 degrees?",
        evidence=[{"start": 10.0, "end": 25.0, "note": "heating"}],
        options={**candidate()["options"], "J": "hot"},
    )
    problems = grounding_report(bad, duration=20.0, cues=CUES)["problems"]
    assert problems == [
        "evidence 00:10–00:25 ends after the video (00:20)",
        "the question cites 00:02, which no evidence span covers",
        "the question text contains the correct option",
        "a quantitative question's options should all be values; J is not",
    ]


def test_no_cited_time_and_no_shared_words_are_problems() -> None:
    bad = candidate(
        question="Which colour does the indicator turn?",
        question_type=("Conceptual Reasoning"),
        options={k: f"colour {k}" for k in "ABCDEFGHIJ"},
    )
    problems = grounding_report(bad, duration=20.0, cues=CUES)["problems"]
    assert problems == [
        "the question cites no moment of the video",
        "the transcript around the evidence spans shares no words with the question or its answer",
    ]


def test_the_answer_given_away_is_matched_as_whole_words() -> None:
    assert gives_answer_away("The flask reaches 80 degrees at 00:12.", "80 degrees")
    assert not gives_answer_away("What is read at 00:15?", "15")
    assert not gives_answer_away("Why is 150 mL used?", "15")
    assert not gives_answer_away("Why is it done?", "It")
