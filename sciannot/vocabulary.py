"""The benchmark's fixed vocabulary, defined once for every app: the option letters and the
patterns of a video time written in text.

The harness files in `releases/harness/` keep their own copy of the letters: they ship
verbatim inside exports and may import nothing from the project.
"""

from __future__ import annotations

from typing import Literal, get_args

# A question has exactly ten options, A to J, in this order.
Letter = Literal["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]
LETTERS: tuple[str, ...] = get_args(Letter)

# A moment of a video as questions write it: M:SS, MM:SS or H:MM:SS, with an optional
# fraction of a second ("02:22", "1:02:03.5").
CLOCK_TIME = r"\d{1,2}(?::\d{2}){1,2}(?:\.\d+)?"

# Anything shaped like a time, ratios such as "1:10" included: digits joined by colons, with
# an optional fraction. For leaving times out of a text, where a ratio is no loss.
TIME_LIKE = r"\d+(?::\d+)+(?:\.\d+)?"
