"""Reads a model's reply to a ten-option (A–J) question as a letter, or as unreadable.

One copy of this file is the app's careful reader; every release export carries the same
bytes (the lmms-eval task and the VLMEvalKit dataset import it), so a harness and the
leaderboard can never read the same reply two ways. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LETTERS = "ABCDEFGHIJ"

_EXPLICIT = re.compile(
    r"\b(?:the\s+)?(?:correct\s+|final\s+|best\s+)?(?:answer|option|choice)"
    r"(?:\s+is|\s+would\s+be|\s+should\s+be)?\s*[:：]?\s*\(?\**([A-J])\**\)?(?![\w])",
    re.IGNORECASE,
)
_PARENTHESISED = re.compile(r"\(([A-J])\)")
# "C." "C)" "(C)" "C:" "C – …"; not a bare "I " that starts a sentence.
_LEADING = re.compile(r"^\s*\**\(?([A-J])\**(?:[.):]|\s+[-–—])")
_LONE = re.compile(r"^[\s\W_]*([A-J])[\s\W_]*$")


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s.%/-]", " ", text.casefold()).split())


def read_letter(reply: str, options: Mapping[str, str]) -> str | None:
    """The letter a reply means, or None when it cannot be read without guessing.

    In order: an explicit statement ("the answer is (C)", "Answer: C"; the last one counts),
    a lone letter, one letter in parentheses, a letter opening the reply ("C.", "C)",
    "C – …"), the text of exactly one option.
    """
    explicit = [m.group(1).upper() for m in _EXPLICIT.finditer(reply)]
    explicit = [letter for letter in explicit if letter in LETTERS]
    if explicit:
        return explicit[-1]
    lone = _LONE.match(reply)
    if lone:
        return lone.group(1)
    bracketed = set(_PARENTHESISED.findall(reply))
    if len(bracketed) == 1:
        return bracketed.pop()
    leading = _LEADING.match(reply)
    if leading:
        return leading.group(1)
    said = _normalised(reply)
    if said:
        named = [
            letter
            for letter, text in options.items()
            if (option := _normalised(text)) and (option == said or f" {option} " in f" {said} ")
        ]
        # An option whose text is inside another's (5 µL in 15 µL) does not count twice.
        longest = [
            letter
            for letter in named
            if not any(
                other != letter and _normalised(options[letter]) in _normalised(options[other])
                for other in named
            )
        ]
        if len(longest) == 1:
            return longest[0]
    return None
