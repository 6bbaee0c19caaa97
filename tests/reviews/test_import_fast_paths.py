"""The importer's fast paths give exactly what the plain readings give.

Each shortcut taken for speed (the time scanner's pattern, the short look-back for cue
words, the JSON pre-check without a skeleton, the hand-written canonical JSON) is compared
with the plain version on many random inputs built from the characters that matter.
"""

from __future__ import annotations

import random
import re

import pytest

from reviews import timeparse
from reviews.services.item_format import ItemData, SpanData, canonical_json
from sciannot.inputs import InputInvalid, _json_precheck_skeleton, json_precheck

# The scanner's pattern as first written, with its lookbehinds in front.
PLAIN_CHAIN = re.compile(r"(?<!\w)(?<!\d[.:])[0-9]+(?::[0-9]+)+(?:\.[0-9]+)?")


def test_the_time_scanner_finds_what_the_plain_pattern_finds() -> None:
    rng = random.Random(18)
    alphabet = "0123456789:.:.: a١٢b_/-~"
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16)))
        fast = [m.span() for m in timeparse._CHAIN_RE.finditer(text)]
        plain = [m.span() for m in PLAIN_CHAIN.finditer(text)]
        assert fast == plain, text


PLAIN_PREVIOUS_WORD = re.compile(r"(?<![\w/.])(\w+(?:[/.]\w+)*\.?)|([~@])")


def test_the_cue_word_pattern_finds_what_the_plain_pattern_finds() -> None:
    rng = random.Random(5)
    alphabet = "ab_1٢é. /.~@:-(,"
    for _ in range(50_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 16)))
        start = rng.randrange(0, len(text) + 1)
        stop = rng.randrange(start, len(text) + 1)
        fast = [(m.span(), m.group()) for m in timeparse._PREV_WORD_RE.finditer(text, start, stop)]
        plain = [
            (m.span(), m.group(1) or m.group(2))
            for m in PLAIN_PREVIOUS_WORD.finditer(text, start, stop)
        ]
        assert fast == plain, (text, start, stop)


WORDS = ["the", "of", "ratio", "at", "approx.", "ca.", "a", "between", "diluted", "v/v", "x.y"]


def random_text(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randrange(1, 60)):
        pieces.append(rng.choice([*WORDS, "word" * rng.randrange(1, 30), "02:30", "1:10"]))
        pieces.append(rng.choice([" ", " ", "  ", ", ", ". ", " (", ": ", "~", "@", "/", "."]))
    return "".join(pieces)


def test_the_short_look_back_reads_the_words_the_full_window_reads() -> None:
    rng = random.Random(7)
    for _ in range(5_000):
        text = random_text(rng)
        for pos in range(0, len(text) + 1, 3):
            full = timeparse._walk_back(text, max(0, pos - timeparse._LOOKBACK), pos, 3)[0]
            assert timeparse._previous_words(text, pos) == full, (text, pos)


def outcome(check: object, text: str, limit: int) -> str:
    try:
        check(text, limit)  # type: ignore[operator]
    except InputInvalid as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize("limit", [1, 3, 64])
def test_the_json_precheck_refuses_what_the_full_reading_refuses(limit: int) -> None:
    rng = random.Random(limit)
    for _ in range(5_000):
        pieces = []
        for _ in range(rng.randrange(0, 12)):
            pieces.append(
                rng.choice(
                    [
                        "[",
                        "{",
                        "]",
                        "}",
                        '"',
                        '\\"',
                        "1" * rng.choice([1, 50, 99, 100, 101, 250]),
                        "٣" * rng.choice([60, 120]),
                        "-",
                        "x",
                        ",",
                    ]
                )
            )
        text = "".join(pieces)
        fast = outcome(lambda t, n: json_precheck(t, max_depth=n), text, limit)
        assert fast == outcome(_json_precheck_skeleton, text, limit), text


ENDS = [0.0, 1e-7, 3723.5, 1e16]


def test_the_canonical_json_is_what_json_dumps_writes() -> None:
    rng = random.Random(3)
    strings = ["", "plain", "naïve ✓", 'q"uote', "back\\slash", "tab\tnew\nline", "\x01\x1f", "😀"]

    def text() -> str:
        return "".join(rng.choice(strings) for _ in range(rng.randrange(0, 4)))

    for _ in range(2_000):
        item = ItemData(
            line=1,
            video_id=text(),
            question_id=text(),
            text=text(),
            options={letter: text() for letter in rng.sample("ABCDEFGHIJ", 10)},
            answer=text(),
            question_type=text(),
            discipline=text(),
            category=text(),
            subject=text(),
            rationale=text(),
            timestamp_breakdown=[text() for _ in range(rng.randrange(0, 3))],
            video_duration=None,
            spans=[
                SpanData(rng.uniform(0, 5000), rng.choice(ENDS), text(), text())
                for _ in range(rng.randrange(0, 3))
            ],
        )
        assert item.content_json() == canonical_json(item.content())
