"""Validating items in the SciVideoBench format, as `reviews.services.item_records` reads them.

Pure functions: nothing here touches the database, so the importer, the dry run and the
tests all see exactly the same rules.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from django.conf import settings

from reviews.models.questions import QuestionType, SpanOrigin
from reviews.timeparse import (
    TimeExpressionError,
    find_times,
    format_timestamp,
    parse_breakdown_entry,
)
from sciannot.inputs import has_nul
from sciannot.taxonomy import category_for_discipline, normalise_category
from sciannot.vocabulary import LETTERS

REQUIRED_FIELDS = ("video_id", "question", "options", "answer", "question_type")
_TYPE_BY_LOWER = {value.lower(): value for value in QuestionType.values}
# "A. text", "A) text", "(A) text": a letter prefix some files put on list options.
_LETTER_PREFIX = re.compile(r"^\s*\(?([A-J])[.):]\s+")


def normalise_text(text: str) -> str:
    """Whitespace-normalised text: the identity of a question within its video."""
    return " ".join(text.split())


def option_faults(options: dict[str, str]) -> list[tuple[str, str | None]]:
    """Empty or repeated options, in letter order: (letter, None) for an empty one,
    (letter, earlier letter) for one whose text repeats an earlier option's."""
    faults: list[tuple[str, str | None]] = []
    seen: dict[str, str] = {}
    for letter, text in options.items():
        key = " ".join(text.split()).casefold()
        if not key:
            faults.append((letter, None))
        elif key in seen:
            faults.append((letter, seen[key]))
        else:
            seen[key] = letter
    return faults


def text_key(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SpanData:
    start: float
    end: float
    note: str
    origin: str


@dataclass(slots=True)
class ItemData:
    """One validated item, ready to be written."""

    line: int
    video_id: str
    question_id: str
    text: str
    options: dict[str, str]
    answer: str
    question_type: str
    discipline: str
    category: str
    subject: str
    rationale: str
    timestamp_breakdown: list[str]
    video_duration: float | None
    spans: list[SpanData] = field(default_factory=list)
    _json: str | None = None
    _key: str | None = None
    _hash: str | None = None

    @property
    def text_key(self) -> str:
        if self._key is None:
            self._key = text_key(self.text)
        return self._key

    def content(self) -> dict[str, Any]:
        """The item's content as stored: what a revision snapshot records (without status)."""
        return {
            "question_id": self.question_id,
            "question": self.text,
            "options": self.options,
            "answer": self.answer,
            "question_type": self.question_type,
            "discipline": self.discipline,
            "category": self.category,
            "subject": self.subject,
            "rationale": self.rationale,
            "timestamp_breakdown": self.timestamp_breakdown,
            "spans": [
                {"start": s.start, "end": s.end, "note": s.note, "origin": s.origin}
                for s in self.spans
            ],
        }

    def content_json(self) -> str:
        """The content as canonical JSON, computed once: it is hashed and snapshotted.

        Written out directly rather than through `canonical_json(self.content())`: an import
        makes one per item, and this gives the same text (keys sorted, compact, not ASCII-
        escaped) several times faster. The tests hold the two to each other.
        """
        if self._json is None:
            text = encode_basestring
            options = ",".join(
                f"{text(letter)}:{text(option)}" for letter, option in sorted(self.options.items())
            )
            spans = ",".join(
                f'{{"end":{_json_number(s.end)},"note":{text(s.note)},'
                f'"origin":{text(s.origin)},"start":{_json_number(s.start)}}}'
                for s in self.spans
            )
            breakdown = ",".join(map(text, self.timestamp_breakdown))
            self._json = (
                f'{{"answer":{text(self.answer)},"category":{text(self.category)},'
                f'"discipline":{text(self.discipline)},"options":{{{options}}},'
                f'"question":{text(self.text)},"question_id":{text(self.question_id)},'
                f'"question_type":{text(self.question_type)},'
                f'"rationale":{text(self.rationale)},"spans":[{spans}],'
                f'"subject":{text(self.subject)},"timestamp_breakdown":[{breakdown}]}}'
            )
        return self._json

    def content_hash(self) -> str:
        if self._hash is None:
            self._hash = hashlib.sha256(self.content_json().encode("utf-8")).hexdigest()
        return self._hash


def _json_number(value: float) -> str:
    """A span time as `json.dumps` writes it (times are finite: `find_times` makes them)."""
    return float.__repr__(value) if isinstance(value, float) else json.dumps(value)


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(content: dict[str, Any]) -> str:
    """sha256 of a question's content; equal hashes mean an import changes nothing."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


class ItemProblems(Exception):
    """Everything wrong with one item, as messages without the line prefix."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


# --- Validating one item -----------------------------------------------------------------------


def _as_id(value: Any, name: str, problems: list[str]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.append(f"`{name}` must be a string or a whole number")
        return ""
    text = str(value).strip()
    if not text:
        problems.append(f"`{name}` is empty")
    return text


def _as_text(raw: dict[str, Any], name: str, problems: list[str]) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"`{name}` must be a string")
        return ""
    return value


def _parse_options(value: Any, problems: list[str]) -> dict[str, str]:
    texts: list[Any]
    if (
        type(value) is dict
        and tuple(value) == LETTERS
        and all(type(text) is str for text in value.values())
    ):
        # The common shape, keyed A–J in order with text values: nothing to normalise.
        given = dict(value)
        if not option_faults(given):
            return given
        texts = list(value.values())
    elif isinstance(value, dict):
        keys = [str(key).strip().upper() for key in value]
        if sorted(keys) != list(LETTERS):
            extra = sorted(set(keys) - set(LETTERS))
            missing = [letter for letter in LETTERS if letter not in keys]
            detail = []
            if missing:
                detail.append("missing " + ", ".join(missing))
            if extra:
                detail.append("unexpected " + ", ".join(extra))
            problems.append(
                f"has {len(keys)} options; needs exactly 10, lettered A–J ({'; '.join(detail)})"
            )
            return {}
        by_letter = {str(key).strip().upper(): text for key, text in value.items()}
        texts = [by_letter[letter] for letter in LETTERS]
    elif isinstance(value, list):
        if len(value) != len(LETTERS):
            problems.append(f"has {len(value)} options; needs exactly 10 (A–J)")
            return {}
        texts = list(value)
        # Strip "A. " style prefixes, but only when every option carries its own letter.
        if all(isinstance(t, str) for t in texts):
            matches = [_LETTER_PREFIX.match(t) for t in texts]
            if all(m and m.group(1) == letter for m, letter in zip(matches, LETTERS, strict=True)):
                texts = [t[m.end() :] for t, m in zip(texts, matches, strict=True) if m]
    else:
        problems.append("`options` must be an object keyed A–J or a list of ten strings")
        return {}

    options: dict[str, str] = {}
    for letter, text in zip(LETTERS, texts, strict=True):
        if not isinstance(text, str | int | float) or isinstance(text, bool):
            problems.append(f"option {letter} must be text")
            continue
        options[letter] = str(text)
    for letter, earlier in option_faults(options):
        if earlier is None:
            problems.append(f"option {letter} is empty")
        else:
            problems.append(f"options {earlier} and {letter} have the same text")
    return {letter: text for letter, text in options.items() if text.strip()}


def _parse_answer(value: Any, options: dict[str, str], problems: list[str]) -> str:
    if not isinstance(value, str):
        problems.append("`answer` must be a letter A–J")
        return ""
    letter = value.strip().strip("().").upper()
    if letter not in LETTERS:
        problems.append(f"answer {value!r} is not among the options A–J")
        return ""
    if options and letter not in options:
        problems.append(f"answer {letter} is not among the options")
    return letter


def _parse_spans(
    text: str, breakdown: list[str], duration: float | None, problems: list[str]
) -> list[SpanData]:
    spans: list[SpanData] = []
    try:
        for ref in find_times(text):
            spans.append(SpanData(ref.start, ref.end, "", SpanOrigin.QUESTION_TEXT))
    except TimeExpressionError as exc:
        problems.append(f"question text: {exc}")
    for number, entry in enumerate(breakdown, start=1):
        try:
            found, note = parse_breakdown_entry(entry)
        except TimeExpressionError as exc:
            problems.append(f"timestamp_breakdown entry {number}: {exc}")
            continue
        if found is not None:
            spans.append(SpanData(found.start, found.end, note, SpanOrigin.BREAKDOWN))
    if duration is not None:
        # MM:SS times are whole seconds, so allow up to one second past the probed end.
        for span in spans:
            if span.end > duration + 1.0:
                problems.append(
                    f"time {format_timestamp(span.end)} is past the end of the video "
                    f"({format_timestamp(duration)})"
                )
                break
    return spans


def validate_item(
    raw: Any,
    line: int,
    *,
    known_duration: float | None = None,
    known_category: str = "",
    may_hold_nul: bool = True,
) -> ItemData:
    """Check one raw item and return it normalised; raise ItemProblems listing every fault.

    `known_duration` and `known_category` come from the video when it already exists: a
    probed duration is the truth that times are checked against. `may_hold_nul=False` says
    the caller knows no value holds a NUL (its JSON text had no `\\u0000`), which spares a
    walk over every value.
    """
    if not isinstance(raw, dict):
        raise ItemProblems(["an item must be a JSON object"])
    problems: list[str] = []
    missing = [name for name in REQUIRED_FIELDS if raw.get(name) in (None, "")]
    if missing:
        problems.append(
            "missing required field"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(f"`{m}`" for m in missing)
        )

    video_id = _as_id(raw["video_id"], "video_id", problems) if "video_id" not in missing else ""
    question_id = ""
    if raw.get("question_id") not in (None, ""):
        question_id = _as_id(raw["question_id"], "question_id", problems)
    text = ""
    if "question" not in missing:
        text = _as_text(raw, "question", problems)
        if text and not text.strip():
            problems.append("the question text is empty")
    options = _parse_options(raw["options"], problems) if "options" not in missing else {}
    answer = _parse_answer(raw["answer"], options, problems) if "answer" not in missing else ""

    question_type = ""
    if "question_type" not in missing:
        value = raw["question_type"]
        question_type = (
            _TYPE_BY_LOWER.get(str(value).strip().lower(), "") if isinstance(value, str) else ""
        )
        if not question_type:
            problems.append(
                f"unknown question type {value!r}; use one of: " + ", ".join(QuestionType.values)
            )

    discipline = _as_text(raw, "discipline", problems).strip()
    subject = _as_text(raw, "subject", problems).strip()
    rationale = _as_text(raw, "rationale", problems)
    category = ""
    raw_category = raw.get("category")
    if raw_category not in (None, ""):
        category = normalise_category(str(raw_category)) or ""
        if not category:
            problems.append(
                f"unknown category {raw_category!r}; use Physics, Chemistry, Biology or Medicine"
            )
    elif discipline:
        category = category_for_discipline(discipline) or ""
        if not category:
            problems.append(
                f"cannot derive a category from discipline {discipline!r}; add `category`"
            )
    elif known_category:
        category = known_category
    else:
        problems.append("needs a `discipline` or a `category`")

    breakdown_raw = raw.get("timestamp_breakdown")
    breakdown: list[str] = []
    if breakdown_raw is not None:
        if isinstance(breakdown_raw, list) and all(isinstance(e, str) for e in breakdown_raw):
            breakdown = list(breakdown_raw)
        else:
            problems.append("`timestamp_breakdown` must be a list of strings")

    item_duration: float | None = None
    raw_duration = raw.get("video_duration")
    if raw_duration not in (None, ""):
        try:
            item_duration = float(raw_duration)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(f"`video_duration` must be a number of seconds, not {raw_duration!r}")
        else:
            if not item_duration > 0 or not math.isfinite(item_duration):
                problems.append("`video_duration` must be positive")
                item_duration = None

    duration = known_duration if known_duration is not None else item_duration
    spans = _parse_spans(text, breakdown, duration, problems) if text else []

    # The columns' sizes: PostgreSQL refuses a longer value with a database error (SQLite
    # would keep it), so it is a problem of the line instead.
    limits = settings.TEXT_LIMITS
    for name, value, limit in (
        ("video_id", video_id, 64),
        ("question_id", question_id, 32),
        ("discipline", discipline, 64),
        ("subject", subject, 200),
    ):
        if len(value) > limit:
            problems.append(f"`{name}` has {len(value)} characters; at most {limit}")

    texts: list[tuple[str, str, str]] = [
        ("question", text, "question"),
        ("rationale", rationale, "rationale"),
    ]
    # Named one by one only when one of them is too long: the common case builds no names.
    if max(map(len, options.values()), default=0) > int(limits["option"]):
        texts += [(f"options.{letter}", option, "option") for letter, option in options.items()]
    if max(map(len, breakdown), default=0) > int(limits["note"]):
        texts += [(f"timestamp_breakdown[{n}]", entry, "note") for n, entry in enumerate(breakdown)]
    for name, value, kind in texts:
        limit = int(limits[kind])
        if len(value) > limit:
            problems.append(f"`{name}` has {len(value):,} characters; at most {limit:,}")
    if may_hold_nul and has_nul(raw):
        problems.append("a value contains a NUL character (\\u0000)")

    if problems:
        raise ItemProblems(problems)
    return ItemData(
        line=line,
        video_id=video_id,
        question_id=question_id,
        text=text,
        options=options,
        answer=answer,
        question_type=question_type,
        discipline=discipline,
        category=category,
        subject=subject,
        rationale=rationale,
        timestamp_breakdown=breakdown,
        video_duration=item_duration,
        spans=spans,
    )
