"""Reads a model's reply to a ten-option (A–J) question as a letter, or as unreadable.

One copy of this file is the app's reader; every release export carries the same bytes (the
lmms-eval task and the VLMEvalKit dataset import it), so a harness and the leaderboard can
never read the same reply two ways. Standard library only, Python 3.9 or later.

Two readers:

- `read_letter`, the careful one: a letter only where the reply says it, None otherwise.
- `official_letter` and `official_guess`: the official SciVideoBench lmms-eval task's rule
  (strip its answer prefixes, take the first capital A–L, guess when there is none), with the
  guess drawn from the release and the item instead of at random, so a table can be rebuilt.

Standard library only, and nothing from sciannot (an import-linter contract there checks
it): it ships verbatim inside exports, so it keeps its own copy of the letters A–J.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

LETTERS = "ABCDEFGHIJ"

# A letter as an answer: a capital standing alone but not the pronoun ("Answer: I think
# it's C"), or a lower-case one that is not the article of a phrase ("the answer is a matter
# of timing" says nothing about A).
_PRONOUN = r"\s+(?i:think|believe|guess|suspect|feel|would|will|am|can|cannot|could|pick|choose)\b"
_LETTER = r"(?P<letter>[A-J](?![\w'’])(?!(?<=I)" + _PRONOUN + r")|[a-j](?![\w'’])(?!\s*[a-z0-9]))"
# What may sit between a cue and its letter: markdown emphasis, a colon, "option", a bracket,
# LaTeX's \boxed{ or \text{.
_BETWEEN = (
    r"[\s*_\"'}]*(?:[:：=][\s*_$\"'}]*)?(?:(?i:option|choice|letter)\s*)?"
    r"(?:\\boxed\{\s*)?(?:\\text(?:bf)?\{\s*)?[(\[]?\s*[*_]*"
)
_COPULA = r"(?:\s+(?i:is|was|would\s+be|should\s+be|must\s+be|will\s+be|remains))?"

# Statements of the answer; in a chain of thought the last one is the conclusion.
_STATEMENTS = (
    re.compile(r"\b(?i:answer)" + _COPULA + _BETWEEN + _LETTER),
    re.compile(
        r"\b(?i:correct|right|best|final|my)\s+(?i:option|choice)" + _COPULA + _BETWEEN + _LETTER
    ),
    re.compile(r"\\boxed\{\s*(?:\\text(?:bf)?\{\s*)?" + _LETTER),
)
# Choices said in other words: "I pick C", "C is correct", "… settles it: H." at the end.
_CHOICES = (
    re.compile(
        r"\b(?:I|we)(?:'d|’d|\s+would|\s+will)?\s+(?i:pick|choose|select|go\s+with|opt\s+for)"
        r"\s+(?:(?i:option|choice)\s+)?[(*_]*" + _LETTER
    ),
    re.compile(r"(?<![\w'’])\(?(?P<letter>[A-J])\)?\**\s+(?i:is\s+(?:the\s+)?(?:correct|right))\b"),
    re.compile(r"[:：]\s*[*_]*\(?" + _LETTER + r"\)?[*_]*[.!]?[*_]*\s*$"),
    re.compile(
        r"\b(?i:it's|it’s|it\s+is|that's|that’s|that\s+is|must\s+be|has\s+to\s+be)\s+"
        r"(?:(?i:option|choice)\s+)?[(*_]*(?P<letter>[A-J])\)?[*_]*[.!]?[*_]*\s*$"
    ),
)
_PARENTHESISED = re.compile(r"\(([A-J])\)")
# "C." "C)" "(C)" "C:" "C – …" opening the reply; not a bare "I " that starts a sentence.
_LEADING = re.compile(r"^\s*[*_]*\(?([A-J])[*_]*(?:[.):]|\s+[-–—])")
_LONE = re.compile(r"^[\s\W_]*([A-Ja-j])[\s\W_]*$")


def _normalised(text: str) -> str:
    # A full stop ends a sentence ("… is 45 N."); a decimal point (0.5 mM) stays.
    kept = re.sub(r"[^\w\s.%/-]|\.(?!\d)", " ", text.casefold())
    return " ".join(kept.split())


def _option_named(reply: str, options: Mapping[str, str]) -> str | None:
    """The one option whose whole text the reply says, if exactly one."""
    said = _normalised(reply)
    if not said:
        return None
    texts = {letter: _normalised(text) for letter, text in options.items()}
    named = [
        letter
        for letter, option in texts.items()
        if option and (option == said or f" {option} " in f" {said} ")
    ]
    # An option whose text is inside another's (5 µL in 15 µL) does not count twice.
    longest = [
        letter
        for letter in named
        if not any(other != letter and texts[letter] in texts[other] for other in named)
    ]
    return longest[0] if len(longest) == 1 else None


def _last(patterns: tuple[re.Pattern[str], ...], reply: str) -> str | None:
    found = [
        (match.start("letter"), match.group("letter").upper())
        for pattern in patterns
        for match in pattern.finditer(reply)
    ]
    return max(found)[1] if found else None


def read_letter(reply: str, options: Mapping[str, str]) -> str | None:
    """The letter a reply means, or None when it cannot be read without guessing.

    In order: the last statement of the answer ("the answer is (C)", "Answer: C",
    "\\boxed{C}"), the last choice said in other words ("I pick C", "C is correct", a final
    ": C"), a lone letter, one letter in parentheses, a letter opening the reply ("C.", "C)",
    "C – …"), the text of exactly one option.
    """
    for patterns in (_STATEMENTS, _CHOICES):
        letter = _last(patterns, reply)
        if letter is not None:
            return letter
    lone = _LONE.match(reply)
    if lone:
        return lone.group(1).upper()
    bracketed = set(_PARENTHESISED.findall(reply))
    if len(bracketed) == 1:
        return bracketed.pop()
    leading = _LEADING.match(reply)
    if leading:
        return leading.group(1)
    return _option_named(reply, options)


# --- The official SciVideoBench task's rule -------------------------------------------------

# The prompt: the official task rewrites every `M:SS`/`MM:SS` in the question as a frame
# number before the model sees it, with as many frames as whole seconds (so "frame N" is
# second N). It also rewrites ratios that look like times ("1:10" becomes "frame 70"); a
# harness that wants the official numbers has to ask the official question.
_OFFICIAL_RANGE = re.compile(r"(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})")
_OFFICIAL_POINT = re.compile(r"(?<!frame )(\d{1,2}:\d{2})(?!\s*[-–])")


def _official_frame(time: str, duration: float) -> int:
    minutes, seconds = time.split(":")
    whole = int(duration)
    if whole == 0:
        raise ValueError("the official prompt needs a video of at least one second")
    # Seconds over the duration in whole seconds, times that many frames: Python's round,
    # as the official task uses it (half to even).
    return round((int(minutes) * 60 + int(seconds)) / whole * whole)


def official_question(question: str, duration: float) -> str:
    """The question as the official task words it: its times as frame numbers."""
    question = _OFFICIAL_RANGE.sub(
        lambda m: (
            f"frame {_official_frame(m.group(1), duration)} to "
            f"frame {_official_frame(m.group(2), duration)}"
        ),
        question,
    )
    return _OFFICIAL_POINT.sub(lambda m: f"frame {_official_frame(m.group(1), duration)}", question)


def official_prompt(
    question: str,
    options: Mapping[str, str],
    duration: float,
    *,
    pre_prompt: str = "",
    post_prompt: str = "",
) -> str:
    """The official task's text prompt: the question with frames, `A. …` lines in letter
    order, then the post-prompt."""
    lines = "\n".join(f"{letter}. {options[letter]}" for letter in sorted(options))
    return f"{pre_prompt}{official_question(question, duration)}\n{lines}\n{post_prompt}"


# The phrases the official task deletes (case as written, every occurrence, in this order)
# before it looks for a letter.
OFFICIAL_PREFIXES = (
    "The answer is",
    "The correct answer is",
    "The best answer is",
    "Answer:",
    "Option:",
    "### Final Answer:\n$$\\boxed",
    "the final answer is",
)
# It gives up on a long reply only when no letter A–J is left in it at all.
OFFICIAL_LONG_REPLY_WORDS = 16
_OFFICIAL_ANY = re.compile(r"[A-J]")
# Its first-capital search runs to L, so a stray K or L is read (and scored wrong).
_OFFICIAL_FIRST = re.compile(r"[A-L]")


def official_letter(reply: str, options: Mapping[str, str] | None = None) -> str | None:
    """The letter the official SciVideoBench task reads in a reply (possibly K or L), or None
    where it would guess. `options` is unused: the official rule never looks at them."""
    text = reply.strip()
    for prefix in OFFICIAL_PREFIXES:
        text = text.replace(prefix, "")
    if len(text.split()) > OFFICIAL_LONG_REPLY_WORDS and not _OFFICIAL_ANY.search(text):
        return None
    first = _OFFICIAL_FIRST.search(text)
    return first.group() if first else None


def release_key(name: str, version: str) -> str:
    """How a release seeds the official rule's guesses: `<name>@<version>`."""
    return f"{name}@{version}"


def official_guess(release: str, uid: str) -> str:
    """The letter standing in for the official task's random guess: drawn from the release
    (`release_key`) and the item's uid, never from the model, so the same replies give the
    same row however and by whom they are imported."""
    digest = hashlib.sha256(f"{release}\n{uid}".encode()).digest()
    return LETTERS[int.from_bytes(digest, "big") % len(LETTERS)]


def official_answer(reply: str, *, release: str, uid: str) -> tuple[str, bool]:
    """The official rule's letter for a reply and whether it was guessed."""
    letter = official_letter(reply)
    if letter is None:
        return official_guess(release, uid), True
    return letter, False
