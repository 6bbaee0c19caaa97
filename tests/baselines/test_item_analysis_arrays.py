"""The array implementation of the item analysis against a plain one written answer by answer
in this file, on seeded random matrices with missing answers, answers without a letter,
constant columns, too few respondents and ties at the better half's cut."""

from __future__ import annotations

import math
import random
import statistics
from collections import Counter
from typing import Any

import pytest

from baselines.item_analysis import (
    DEAD_DISTRACTOR_MIN_ANSWERS,
    FLAGS,
    GROUPS,
    HUMANS,
    MIN_RESPONDENTS,
    MODELS,
    Item,
    Respondent,
    Response,
    analyse,
    key_length_bias,
)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _corr(pairs: list[tuple[float, float]], minimum: int) -> float | None:
    if len(pairs) < minimum:
        return None
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    if len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    mx = math.fsum(xs) / len(xs)
    my = math.fsum(ys) / len(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in pairs)
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    r = sxy / math.sqrt(sxx * syy)
    return 0.0 if abs(r) < 1e-12 else r


def reference(
    items: list[Item],
    people: list[Respondent],
    responses: list[Response],
    minimum: int = MIN_RESPONDENTS,
    dead_min: int = DEAD_DISTRACTOR_MIN_ANSWERS,
) -> dict[str, Any]:
    group = {p.id: p.group for p in people}
    by = {(a.respondent, a.uid): a for a in responses}  # one answer each

    def rest(a: Response, among: set[str]) -> float | None:
        mine = [b for (who, _), b in by.items() if who == a.respondent and group[who] in among]
        if len(mine) < 2:
            return None
        return (sum(b.correct for b in mine) - a.correct) / (len(mine) - 1)

    rows = []
    for item in items:
        answers = sorted((a for a in by.values() if a.uid == item.uid), key=lambda a: a.respondent)
        row: dict[str, Any] = {"uid": item.uid, "key": item.key, "discrimination": {}}
        for g in GROUPS:
            mine = [a for a in answers if group[a.respondent] == g]
            choices = dict.fromkeys(sorted(item.options), 0)
            for a in mine:
                if a.letter in choices:
                    choices[a.letter] += 1
            right = sum(a.correct for a in mine)
            summary = {
                "n": len(mine),
                "correct": right,
                "p": _r(right / len(mine)) if mine else None,
                "choices": choices,
                "no_letter": len(mine) - sum(choices.values()),
            }
            if g == HUMANS:
                secs = [a.seconds for a in mine if a.letter and a.seconds is not None]
                summary["median_seconds"] = round(statistics.median(secs), 1) if secs else None
            row[g] = summary
            pairs = [(float(a.correct), s) for a in mine if (s := rest(a, {g})) is not None]
            row["discrimination"][g] = _corr(pairs, minimum)
        flags: dict[str, Any] = {}
        ranked = [(s, a) for a in answers if (s := rest(a, set(GROUPS))) is not None]
        if len(ranked) >= minimum:
            ranked.sort(key=lambda pair: (-pair[0], pair[1].respondent))
            upper = [a for _, a in ranked[: len(ranked) // 2]]
            counts = Counter(a.letter for a in upper if a.letter)
            best = min(
                ((-c, letter) for letter, c in counts.items() if letter != item.key),
                default=None,
            )
            if best is not None and -best[0] > counts[item.key]:
                flags["possible_wrong_key"] = {
                    "upper_n": len(upper),
                    "key": item.key,
                    "key_count": counts[item.key],
                    "distractor": best[1],
                    "distractor_count": -best[0],
                }
        n = len(answers)
        right = sum(a.correct for a in answers)
        if n >= minimum and right == 0:
            flags["no_one_right"] = {"n": n, "correct": 0}
        if n >= minimum and right == n:
            flags["everyone_right"] = {"n": n, "correct": n}
        names = {p.id: p.name for p in people if p.text_only}
        blind = [a for a in answers if a.respondent in names]
        if blind and all(a.correct for a in blind):
            flags["answerable_without_video"] = {
                "text_runs": len(blind),
                "right": len(blind),
                "models": sorted(names[a.respondent] for a in blind),
            }
        negative = {g: _r(r) for g, r in row["discrimination"].items() if r is not None and r < 0}
        if negative:
            flags["negative_discrimination"] = negative
        if n >= dead_min:
            used = {a.letter for a in answers}
            dead = sorted(x for x in item.options if x != item.key and x not in used)
            if dead:
                flags["dead_distractors"] = {"n": n, "letters": dead}
        row["discrimination"] = {g: _r(r) for g, r in row["discrimination"].items()}
        row["flags"] = [f for f in FLAGS if f in flags]
        row["flag_details"] = {f: flags[f] for f in FLAGS if f in flags}
        rows.append(row)
    kr20: dict[str, float | None] = {}
    complete: dict[str, int] = {}
    for g in GROUPS:
        full = [
            [by[(p.id, item.uid)].correct for item in items]
            for p in people
            if p.group == g and items and all((p.id, item.uid) in by for item in items)
        ]
        complete[g] = len(full)
        value = None
        if len(full) >= max(minimum, 2) and len(items) >= 2:
            variance = statistics.pvariance([sum(r) for r in full])
            if variance > 0:
                pq = 0.0
                for j in range(len(items)):
                    p = sum(r[j] for r in full) / len(full)
                    pq += p * (1 - p)
                value = len(items) / (len(items) - 1) * (1 - pq / variance)
        kr20[g] = _r(value)
    return {"items": rows, "kr20": kr20, "kr20_respondents": complete}


def random_case(seed: int) -> tuple[list[Item], list[Respondent], list[Response]]:
    rng = random.Random(seed)
    letters = "ABCDE"[: rng.choice([3, 4, 5])]
    items = [
        Item(
            uid=f"q{j}",
            key=rng.choice(letters),
            options={x: "o" * rng.randint(1, 4) for x in letters},
        )
        for j in range(rng.randint(1, 9))
    ]
    people = [Respondent(f"h{i}", HUMANS, f"person {i}") for i in range(rng.randint(0, 9))]
    people += [
        Respondent(f"m{i}", MODELS, f"model {i}", text_only=rng.random() < 0.3)
        for i in range(rng.randint(0, 6))
    ]
    rng.shuffle(people)
    easy = rng.random() < 0.3  # whole columns right: no variance
    copy = rng.random() < 0.4  # identical respondents: ties at the half cut
    missing = rng.choice([0.0, 0.1, 0.4])
    responses = []
    patterns: list[list[str]] = []
    for person in people:
        if copy and patterns and rng.random() < 0.5:
            chosen = rng.choice(patterns)
        else:
            chosen = [
                item.key if easy or rng.random() < 0.5 else rng.choice([*letters, ""])
                for item in items
            ]
            patterns.append(chosen)
        for item, letter in zip(items, chosen, strict=True):
            if rng.random() < missing:
                continue
            seconds = rng.choice([None, float(rng.randint(1, 60)), rng.random() * 30])
            responses.append(Response(person.id, item.uid, letter, letter == item.key, seconds))
    rng.shuffle(responses)
    return items, people, responses


@pytest.mark.parametrize("minimum", [2, MIN_RESPONDENTS, 12])
@pytest.mark.parametrize("seed", range(60))
def test_matches_the_plain_computation(seed: int, minimum: int) -> None:
    items, people, responses = random_case(seed)
    got = analyse(items, people, responses, min_respondents=minimum, dead_min=4)
    want = reference(items, people, responses, minimum, dead_min=4)
    assert got["items"] == want["items"]
    assert got["split"]["kr20"] == want["kr20"]
    assert got["split"]["kr20_respondents"] == want["kr20_respondents"]
    assert got["split"]["key_length"] == key_length_bias(items)


def test_the_random_cases_reach_the_edges() -> None:
    """The cases above include every flag, null and non-null correlations and KR-20s."""
    seen: Counter[str] = Counter()
    for seed in range(60):
        items, people, responses = random_case(seed)
        out = analyse(items, people, responses, min_respondents=2, dead_min=4)
        for row in out["items"]:
            seen.update(row["flags"])
            for g in GROUPS:
                seen[f"r-{row['discrimination'][g] is None}"] += 1
        for g in GROUPS:
            seen[f"kr20-{out['split']['kr20'][g] is None}"] += 1
    for name in [*FLAGS, "r-True", "r-False", "kr20-True", "kr20-False"]:
        assert seen[name] > 0, name


def test_ties_at_the_cut_go_to_the_earlier_respondent_id() -> None:
    """Four respondents with the same rest score: the better half is the first two by id,
    who chose B; the last two chose the key."""
    items = [Item("q0", "A", {"A": "a", "B": "b"}), Item("q1", "A", {"A": "a", "B": "b"})]
    people = [Respondent(f"h{i}", HUMANS, f"p{i}") for i in range(4)]
    responses = [Response(f"h{i}", "q1", "A", True) for i in range(4)]
    responses += [Response(f"h{i}", "q0", "B" if i < 2 else "A", i >= 2) for i in (3, 1, 0, 2)]
    row = analyse(items, people, responses, min_respondents=4)["items"][0]
    # q0's right answerers have rest 1.0 on q1 like the others: all tied.
    assert row["flag_details"]["possible_wrong_key"] == {
        "upper_n": 2,
        "key": "A",
        "key_count": 0,
        "distractor": "B",
        "distractor_count": 2,
    }
