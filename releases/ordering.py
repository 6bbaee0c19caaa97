"""How releases sort: question ids and release names in their natural order, versions as
semantic versions."""

from __future__ import annotations

import functools
import re
from typing import Any

_CHUNK = re.compile(r"([0-9]+)")


@functools.lru_cache(maxsize=1 << 16)
def natural_key(value: str) -> tuple[Any, ...]:
    """ "2" < "10" < "10a": digits compare as numbers, and any two ids compare.

    Each chunk is (0, number, text) for ASCII digits and (1, 0, text) otherwise, so a number
    never meets a string in a comparison ("3" and "x1" in one video), and "01" and "1" still
    have a fixed order."""
    return tuple(
        (0, int(part), part) if part.isascii() and part.isdigit() else (1, 0, part)
        for part in _CHUNK.split(value)
        if part
    )


def version_key(version: str) -> tuple[int, int, int, int, str]:
    main, _, pre = version.partition("-")
    major, minor, patch = (int(part) for part in main.split("."))
    # A pre-release sorts before its release.
    return major, minor, patch, 0 if pre else 1, pre
