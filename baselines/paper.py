"""SciVideoBench's published human baseline, as counts, and the answers that give them.

The paper reports 17.40 % (174 of 1,000) for human experts, with the per-type and
per-category figures below. Only the counts are published, not which items were answered
right, so `published_answers` builds 1,000 scored answers whose counts per type and per
category are exactly those; the accuracy table computes its row from them the way it does
from a study's answers, which is the check that our arithmetic reproduces the paper's table.
"""

from __future__ import annotations

from baselines.scoring import CATEGORIES, TYPES, Scored

# (right, answered) per column, in the paper's column order.
HUMAN_BY_TYPE: dict[str, tuple[int, int]] = dict(
    zip(TYPES, [(67, 370), (72, 385), (35, 245)], strict=True)
)
HUMAN_BY_CATEGORY: dict[str, tuple[int, int]] = dict(
    zip(CATEGORIES, [(64, 403), (31, 193), (25, 118), (54, 286)], strict=True)
)
# The row as the paper prints it: overall, the three types, the four categories.
PUBLISHED_ROW = ("17.40", "18.11", "18.70", "14.29", "15.88", "16.06", "21.19", "18.88")


def published_answers() -> list[Scored]:
    """1,000 answers with the paper's human counts per type and per category."""
    types = [name for name, (_, total) in HUMAN_BY_TYPE.items() for _ in range(total)]
    categories = [name for name, (_, total) in HUMAN_BY_CATEGORY.items() for _ in range(total)]
    if len(types) != len(categories):
        raise ValueError("the type and category counts cover different numbers of answers")
    right_left = {name: right for name, (right, _) in HUMAN_BY_TYPE.items()}
    right_left.update({name: right for name, (right, _) in HUMAN_BY_CATEGORY.items()})
    answers = []
    # Pair each type with a category, interleaving the categories so every type meets every
    # category; an answer is right wherever both its type and its category still have right
    # answers to give.
    for question_type, category in zip(types, categories[::2] + categories[1::2], strict=True):
        correct = right_left[question_type] > 0 and right_left[category] > 0
        if correct:
            right_left[question_type] -= 1
            right_left[category] -= 1
        answers.append(Scored(question_type, category, correct))
    if any(right_left.values()):
        raise ValueError(f"the counts cannot all be met at once: {right_left}")
    return answers
