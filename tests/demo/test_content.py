"""Editorial checks on the demo data in `demo/data/`: what the content must say, beyond the
structure `demo.seed` checks when it loads the files.

Every video is 2–4 minutes of narrated scenes with a manuscript; every question is in the
SciVideoBench import format, cites MM:SS times inside its video and grounds each breakdown
entry in the narration; over all questions the keys are balanced.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from demo.seed import DemoVideo, load_videos, manuscript_path, question_paths, transcript_path
from videos.transcripts import Cue, parse_transcript

LETTERS = tuple("ABCDEFGHIJ")
TYPES = frozenset({"Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning"})
DISCIPLINES = frozenset(
    {"Engineering", "Biology", "Chemistry", "Medicine", "Bioengineering", "Biochemistry", "Physics"}
)
FIELDS = frozenset(
    {
        "video_id",
        "question_id",
        "question",
        "options",
        "answer",
        "question_type",
        "discipline",
        "subject",
        "timestamp_breakdown",
        "rationale",
    }
)
SECTIONS = ("## Abstract", "## Protocol", "## Representative Results", "## Discussion")
# A time as SciVideoBench writes it: two-digit minutes and seconds.
TIME = re.compile(r"(?<![\d:.,])(\d{2}):(\d{2})(?![\d:])")
# Any number:number token; those that are not times must read as ratios.
COLON_TOKEN = re.compile(r"(?<![\d:.,])\d+:\d+(?![\d:])")
RATIO_LEAD = re.compile(r"(?:diluted|\ba|\ban|ratio of)\s+$", re.IGNORECASE)
RANGES = (
    re.compile(r"between (\d{2}):(\d{2}) and (\d{2}):(\d{2})"),
    re.compile(r"from (\d{2}):(\d{2}) to (\d{2}):(\d{2})"),
    re.compile(r"(\d{2}):(\d{2})–(\d{2}):(\d{2})"),
)
BREAKDOWN = re.compile(r"^(\d{2}):(\d{2})(?:-(\d{2}):(\d{2}))?: \S")
LEADING_TIME = re.compile(r"^\d{2}:\d{2}(?:-\d{2}:\d{2})?: ")


@dataclass(frozen=True)
class Video:
    demo: DemoVideo
    cues: list[Cue]
    manuscript: str


def _videos() -> dict[str, Video]:
    videos = {}
    for demo in load_videos():
        cues = parse_transcript(transcript_path(demo).read_text(encoding="utf-8"), "vtt")
        videos[demo.video_id] = Video(demo, cues, manuscript_path(demo).read_text("utf-8"))
    return videos


def _questions() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for _, path in question_paths()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


VIDEOS = _videos()
QUESTIONS = _questions()


def _seconds(minutes: str, seconds: str) -> int:
    return int(minutes) * 60 + int(seconds)


def _time_problems(text: str, duration: float) -> list[str]:
    problems: list[str] = []
    for match in TIME.finditer(text):
        minutes, seconds = match.groups()
        if int(seconds) >= 60 or _seconds(minutes, seconds) > duration:
            problems.append(f"{match.group(0)} is not a time inside the video")
    for pattern in RANGES:
        for match in pattern.finditer(text):
            m1, s1, m2, s2 = match.groups()
            if _seconds(m1, s1) > _seconds(m2, s2):
                problems.append(f"range {match.group(0)!r} runs backwards")
    for match in COLON_TOKEN.finditer(text):
        if TIME.fullmatch(match.group(0)):
            continue
        if not RATIO_LEAD.search(text[: match.start()]):
            problems.append(f"{match.group(0)!r} could be read as a time")
    return problems


# --- Videos ----------------------------------------------------------------------------------


def test_video_ids_run_demo_1_demo_2_in_order() -> None:
    assert list(VIDEOS) == [f"demo-{n}" for n in range(1, len(VIDEOS) + 1)]


@pytest.mark.parametrize("video_id", list(VIDEOS))
def test_a_video_is_2_to_4_minutes_of_scenes_of_at_least_12_seconds(video_id: str) -> None:
    demo = VIDEOS[video_id].demo
    assert demo.discipline in DISCIPLINES
    assert 120 <= demo.duration <= 240
    assert 6 <= len(demo.scenes) <= 9
    assert demo.scenes[0][0] == 0.0
    bounds = [start for start, _ in demo.scenes] + [demo.duration]
    for (start, label), end in zip(demo.scenes, bounds[1:], strict=True):
        assert end - start >= 12, f"scene at {start} is shorter than 12 s or out of order"
        assert label.strip() and len(label) <= 40, f"scene label {label!r}"


@pytest.mark.parametrize("video_id", list(VIDEOS))
def test_the_narration_covers_the_video_without_gaps(video_id: str) -> None:
    video = VIDEOS[video_id]
    assert 15 <= len(video.cues) <= 30
    previous_end = 0.0
    for cue in video.cues:
        assert 0 <= cue.start <= cue.end <= video.demo.duration, f"cue {cue.start}–{cue.end}"
        assert abs(cue.start - previous_end) <= 2.0, f"gap or overlap at {cue.start}"
        assert cue.text.strip(), f"cue at {cue.start} has no text"
        previous_end = cue.end
    assert video.demo.duration - previous_end <= 2.0, f"the cues stop at {previous_end} s"


@pytest.mark.parametrize("video_id", list(VIDEOS))
def test_a_manuscript_is_a_short_article_with_the_usual_sections(video_id: str) -> None:
    manuscript = VIDEOS[video_id].manuscript
    assert 250 <= len(manuscript.split()) <= 450
    assert manuscript.startswith("# ")
    assert [s for s in SECTIONS if s not in manuscript] == []


# --- Questions -------------------------------------------------------------------------------


def _where(item: dict[str, Any]) -> str:
    return f"{item.get('video_id')}/{item.get('question_id')}"


@pytest.mark.parametrize("item", QUESTIONS, ids=_where)
def test_a_question_is_in_the_import_format_with_ten_distinct_options(
    item: dict[str, Any],
) -> None:
    assert set(item) == FIELDS
    video = VIDEOS[item["video_id"]].demo
    assert isinstance(item["question_id"], str) and item["question_id"]
    assert isinstance(item["question"], str) and item["question"].strip()
    options = item["options"]
    assert tuple(options) == LETTERS
    texts = [text for text in options.values() if isinstance(text, str) and text.strip()]
    assert len(texts) == 10, "every option must be non-empty text"
    assert len({" ".join(text.split()).casefold() for text in texts}) == 10, "options repeat"
    assert item["answer"] in options
    assert item["question_type"] in TYPES
    assert (item["discipline"], item["subject"]) == (video.discipline, video.subject)
    assert isinstance(item["rationale"], str) and item["rationale"].strip()


@pytest.mark.parametrize("item", QUESTIONS, ids=_where)
def test_a_question_cites_times_inside_its_video(item: dict[str, Any]) -> None:
    duration = VIDEOS[item["video_id"]].demo.duration
    assert TIME.search(item["question"]), "the question cites no MM:SS time"
    problems = _time_problems(item["question"], duration)
    for text in item["options"].values():
        problems.extend(f"option: {p}" for p in _time_problems(text, duration))
    assert problems == []


@pytest.mark.parametrize("item", QUESTIONS, ids=_where)
def test_every_breakdown_entry_is_grounded_on_the_narrations_cues(item: dict[str, Any]) -> None:
    video = VIDEOS[item["video_id"]]
    entries = item["timestamp_breakdown"]
    assert isinstance(entries, list) and 1 <= len(entries) <= 4
    starts = [cue.start for cue in video.cues]
    ends = [cue.end for cue in video.cues]
    problems: list[str] = []
    for entry in entries:
        match = BREAKDOWN.match(entry)
        if match is None:
            problems.append(f"{entry!r} is not 'MM:SS[-MM:SS]: note'")
            continue
        m1, s1, m2, s2 = match.groups()
        begin = _seconds(m1, s1)
        finish = _seconds(m2, s2) if m2 is not None and s2 is not None else begin
        if begin > finish:
            problems.append(f"the range in {entry!r} runs backwards")
        if not any(abs(begin - start) <= 1 for start in starts):
            problems.append(f"{entry!r} does not start on a cue")
        if m2 is not None and not any(abs(finish - end) <= 1 for end in ends):
            problems.append(f"{entry!r} does not end on a cue")
        problems.extend(_time_problems(entry, video.demo.duration))
        if TIME.search(LEADING_TIME.sub("", entry)):
            problems.append(f"the note of {entry!r} cites a time")
    assert problems == []


def test_every_video_has_six_or_seven_questions() -> None:
    per_video = Counter(item["video_id"] for item in QUESTIONS)
    assert set(per_video) == set(VIDEOS)
    assert {v: n for v, n in per_video.items() if not 6 <= n <= 7} == {}


def test_no_answer_letter_is_the_key_more_than_five_times() -> None:
    letters = Counter(item["answer"] for item in QUESTIONS)
    assert {letter: n for letter, n in letters.items() if n > 5} == {}


def test_the_key_is_the_longest_option_in_at_most_a_quarter_of_the_questions() -> None:
    longest = 0
    for item in QUESTIONS:
        lengths = {letter: len(text) for letter, text in item["options"].items()}
        key = lengths[item["answer"]]
        if all(key > size for letter, size in lengths.items() if letter != item["answer"]):
            longest += 1
    assert longest * 4 <= len(QUESTIONS)


def test_exactly_one_question_id_is_shared_by_two_different_questions() -> None:
    # The import keys questions by their text, not by (video_id, question_id): the demo
    # shows that two questions may carry the same id.
    texts_by_pair: dict[tuple[str, str], list[str]] = {}
    for item in QUESTIONS:
        texts_by_pair.setdefault((item["video_id"], item["question_id"]), []).append(
            item["question"]
        )
    shared = {pair: texts for pair, texts in texts_by_pair.items() if len(texts) > 1}
    assert len(shared) == 1
    for texts in shared.values():
        assert len(texts) == 2 and len(set(texts)) == 2
