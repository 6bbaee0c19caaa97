"""Assigning items to splits: all to one, or stratified by category × type with a seed.

Stratified, each split gets its proportion of every stratum (category × type). With videos
kept together (the default), whole videos are assigned, so no video's questions leak across
splits: videos are taken in an order fixed by the seed, largest first, and each goes to the
split whose strata are furthest below their targets for the items the video brings. With
one item per video this keeps every stratum within one item of its target.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Any

from sciannot.inputs import InputInvalid, finite_float


class SplitInvalid(ValueError):
    pass


def parse_proportions(text: str) -> dict[str, float]:
    """ "test=0.8,val=0.2" -> {"test": 0.8, "val": 0.2}; they must add up to 1."""
    proportions: dict[str, float] = {}
    shown = text if len(text) <= 60 else text[:57] + "..."
    for part in text.split(","):
        name, _, value = part.partition("=")
        try:
            # NaN and infinity compare false with every bound, so they are refused by name.
            share = finite_float(value, what=f"the proportion of {name.strip() or 'a split'}")
        except InputInvalid as exc:
            raise SplitInvalid(f"{exc}; write the proportions as test=0.8,val=0.2") from exc
        if not name.strip() or share <= 0:
            raise SplitInvalid(f"write the proportions as test=0.8,val=0.2, not {shown!r}")
        if name.strip() in proportions:
            raise SplitInvalid(f"the split {name.strip()!r} is named twice")
        proportions[name.strip()] = share
    if abs(sum(proportions.values()) - 1.0) > 1e-6:
        raise SplitInvalid(f"the proportions add up to {sum(proportions.values()):g}, not 1")
    return proportions


def stratum(item: dict[str, Any]) -> tuple[str, str]:
    return item["category"], item["question_type"]


def assign_splits(
    items: list[dict[str, Any]],
    proportions: dict[str, float],
    *,
    seed: int,
    keep_videos_together: bool = True,
) -> list[str]:
    """The split of each item, in the items' order."""
    names = list(proportions)
    if len(names) == 1:
        return [names[0]] * len(items)
    totals = Counter(stratum(item) for item in items)
    targets = {s: {k: proportions[s] * n for k, n in totals.items()} for s in names}
    assigned: dict[str, Counter[tuple[str, str]]] = {s: Counter() for s in names}
    groups: dict[Any, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        key = item["video_id"] if keep_videos_together else ("item", index)
        groups[key].append(index)
    order = sorted(groups, key=str)
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible order, not a secret
    order.sort(key=lambda key: -len(groups[key]))  # stable: the seed orders equal sizes
    sizes = dict.fromkeys(names, 0)
    result = [""] * len(items)
    for key in order:
        brings = Counter(stratum(items[i]) for i in groups[key])

        def need(
            split: str, brings: Counter[tuple[str, str]] = brings
        ) -> tuple[float, float, float]:
            gap = sum(n * (targets[split][k] - assigned[split][k]) for k, n in brings.items())
            # Ties go to the split furthest below its overall share, then the larger share.
            overall = proportions[split] * len(items) - sizes[split]
            return round(gap, 9), round(overall, 9), proportions[split]

        chosen = max(names, key=need)
        assigned[chosen].update(brings)
        sizes[chosen] += len(groups[key])
        for index in groups[key]:
            result[index] = chosen
    return result
