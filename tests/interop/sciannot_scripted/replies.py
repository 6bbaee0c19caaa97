"""The script the scripted model replies from: one reply per item, chosen by the item's
position, written from the item's key so the expected reading of every reply is known.

Standard library only, so the app's test suite can check the script without lmms-eval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LETTERS = "ABCDEFGHIJ"

# (template, the letter a careful reader should take from it: "right", "wrong" or None for
# a reply that names no letter). {right}/{wrong} are letters, {right_text} the key's text.
SCRIPT: tuple[tuple[str, str | None], ...] = (
    ("{right}", "right"),
    ("({wrong})", "wrong"),
    ("The correct answer is **{right}**. The clock in the video shows the step clearly.", "right"),
    ("Answer: {wrong}", "wrong"),
    ("Based on the video, the answer is {right}.", "right"),
    ("I cannot tell from the video.", None),
    (
        "Let me look at the cited moments.\n\n"
        "At the first cited time the operator adds the reagent; at the second the colour "
        "changes, which rules out most options.\n\n"
        "Therefore, the final answer is: {right}",
        "right",
    ),
    ("{right_text}", "right"),
    ("**{wrong}**", "wrong"),
    ("{right}. {right_text}", "right"),
    ("Every option could be argued for; nothing in the video decides it.", None),
    (
        "Step 1: read the measurement shown on screen.\n"
        "Step 2: compare it with each option.\n\n"
        "Both D-type and E-type readings are plausible, but only one fits.\n\n"
        "The answer is ({wrong}).",
        "wrong",
    ),
    ("{wrong}", "wrong"),
    ("Not enough information is shown.", None),
)


def wrong_letter(answer: str) -> str:
    """A fixed wrong letter for a key: three places on, wrapping at J."""
    return LETTERS[(LETTERS.index(answer) + 3) % len(LETTERS)]


def scripted_reply(doc: Mapping[str, Any], position: int) -> tuple[str, str | None]:
    """The reply to the item at `position` and the letter it means (None: unreadable)."""
    template, meaning = SCRIPT[position % len(SCRIPT)]
    answer = doc["answer"]
    wrong = wrong_letter(answer)
    reply = template.format(right=answer, wrong=wrong, right_text=doc["options"][answer])
    letter = {"right": answer, "wrong": wrong, None: None}[meaning]
    return reply, letter
