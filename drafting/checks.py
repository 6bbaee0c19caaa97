"""The grounding check: code, not an LLM, looking at what a candidate says about the video.

- every evidence span lies inside the video;
- every time the question text cites is covered by an evidence span;
- the transcript near each span shares words with the question and its answer (the overlap is
  reported, so a reviewer sees how much of the question the narration supports);
- the question text does not contain the correct option;
- a quantitative question's options are all values.
"""

from __future__ import annotations

import re
from typing import Any

from reviews.timeparse import TimeExpressionError, find_times, format_timestamp
from sciannot.vocabulary import CLOCK_TIME

# Seconds of slack when comparing times: narration leads or trails the picture a little.
TOLERANCE = 2.0
TRANSCRIPT_WINDOW = 10.0
_NUMBER = re.compile(r"[0-9]")
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)?", re.UNICODE)
STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "among",
        "another",
        "answer",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "done",
        "during",
        "each",
        "either",
        "from",
        "have",
        "having",
        "here",
        "however",
        "into",
        "itself",
        "just",
        "least",
        "like",
        "more",
        "most",
        "much",
        "must",
        "next",
        "only",
        "other",
        "over",
        "same",
        "should",
        "shown",
        "since",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "upon",
        "used",
        "using",
        "very",
        "video",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "within",
        "would",
        "your",
    ]
)


_CLOCK = re.compile(rf"\b{CLOCK_TIME}\b")


def content_words(text: str) -> set[str]:
    """The words that carry meaning: numbers, and words of four letters or more that are not
    common function words. Times such as 02:22 are left out."""
    words = set()
    for word in _WORD.findall(_CLOCK.sub(" ", text.lower())):
        if any(ch.isdigit() for ch in word) or (len(word) >= 4 and word not in STOPWORDS):
            words.add(word)
    return words


def _span_text(start: float, end: float) -> str:
    return f"{format_timestamp(start)}–{format_timestamp(end)}"


def grounding_report(
    candidate: dict[str, Any], *, duration: float | None, cues: list[tuple[float, float, str]]
) -> dict[str, Any]:
    problems: list[str] = []
    spans = candidate["evidence"]
    for span in spans:
        if duration and span["end"] > duration + 0.5:
            problems.append(
                f"evidence {_span_text(span['start'], span['end'])} ends after the video "
                f"({format_timestamp(duration)})"
            )

    try:
        cited = find_times(candidate["question"])
    except TimeExpressionError as exc:
        cited = []
        problems.append(f"the question's time expression cannot be read: {exc}")
    if not cited:
        problems.append("the question cites no moment of the video")
    for ref in cited:
        covered = any(
            ref.start <= span["end"] + TOLERANCE and ref.end >= span["start"] - TOLERANCE
            for span in spans
        )
        if not covered:
            problems.append(f"the question cites {ref.text}, which no evidence span covers")

    key_text = candidate["options"][candidate["answer"]]
    wanted = content_words(candidate["question"]) | content_words(key_text)
    span_reports = []
    for span in spans:
        nearby = " ".join(
            text
            for start, end, text in cues
            if start <= span["end"] + TRANSCRIPT_WINDOW and end >= span["start"] - TRANSCRIPT_WINDOW
        )
        matched = sorted(wanted & content_words(nearby))
        span_reports.append(
            {
                "start": span["start"],
                "end": span["end"],
                "matched": matched,
                "overlap": round(len(matched) / len(wanted), 3) if wanted else 0.0,
            }
        )
    overlap = max((r["overlap"] for r in span_reports), default=0.0)
    if cues and spans and not any(r["matched"] for r in span_reports):
        problems.append(
            "the transcript around the evidence spans shares no words with the question or "
            "its answer"
        )

    if gives_answer_away(candidate["question"], key_text):
        problems.append("the question text contains the correct option")

    if candidate["question_type"] == "Quantitative Reasoning":
        wordy = [
            letter for letter, text in candidate["options"].items() if not _NUMBER.search(text)
        ]
        if wordy:
            problems.append(
                "a quantitative question's options should all be values; "
                + ", ".join(wordy)
                + (" is not" if len(wordy) == 1 else " are not")
            )

    return {"problems": problems, "spans": span_reports, "overlap": overlap}


def gives_answer_away(question: str, key_text: str) -> bool:
    """Whether the correct option's text appears, as whole words, in the question."""
    key = " ".join(key_text.lower().split())
    if len(key) < 4 and not any(ch.isdigit() for ch in key):
        return False
    text = " ".join(question.lower().split())
    # Not inside a longer word or number, nor a part of a timestamp such as 00:15.
    return re.search(rf"(?<![\w.:]){re.escape(key)}(?![\w]|[.:][0-9])", text) is not None
