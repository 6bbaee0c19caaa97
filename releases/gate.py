"""The quality gate run before a freeze: errors block it, warnings are listed with their items.

Errors: not exactly ten distinct non-empty options, no key, evidence outside the video, a
missing type, category or video duration. Warnings: answer letters unevenly spread (a
chi-square test against uniform, with its p-value), the key being the longest option far more
often than one time in ten, items flagged "answerable without the video", and items with
fewer accepts than the benchmark asks for (including those accepted on import, unreviewed).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from drafting.schemas import LETTERS
from reviews.models import QuestionType
from reviews.services.item_format import option_faults
from videos.taxonomy import Category

# Below this p-value the answer letters are called unevenly spread.
UNEVEN_P = 0.05
# The key is the longest option this much more often than chance (1 in 10) before a warning.
LONGEST_RATIO = 2.0


@dataclass
class Problem:
    code: str
    message: str
    uids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "uids": self.uids}


@dataclass
class GateReport:
    items: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def chi_square_sf(statistic: float, dof: int) -> float:
    """P(X >= statistic) for a chi-square variable: the regularised upper incomplete gamma
    function Q(dof/2, statistic/2), by its series or continued fraction."""
    if statistic <= 0:
        return 1.0
    a, x = dof / 2.0, statistic / 2.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        n = a
        while abs(term) > abs(total) * 1e-15:
            n += 1
            term *= x / n
            total += term
        return max(0.0, 1.0 - total * math.exp(log_front))
    # Lentz's continued fraction for Q.
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-15:
            break
    return min(1.0, math.exp(log_front) * h)


def answer_spread(answers: list[str]) -> tuple[float, float, dict[str, int]]:
    """(chi-square statistic, p-value, counts per letter) against a uniform spread."""
    counts = Counter(answers)
    expected = len(answers) / len(LETTERS)
    statistic = sum((counts.get(letter, 0) - expected) ** 2 / expected for letter in LETTERS)
    return (
        statistic,
        chi_square_sf(statistic, len(LETTERS) - 1),
        {letter: counts.get(letter, 0) for letter in LETTERS},
    )


def run_gate(candidates: list[dict[str, Any]], *, required_accepts: int) -> GateReport:
    """Check items about to be frozen. Each candidate: {"uid", "item" (the export dict),
    "spans": [(start, end)], "flags": [...], "accepts": int}."""
    report = GateReport(items=len(candidates))
    errors: dict[str, Problem] = {}

    def error(code: str, message: str, uid: str) -> None:
        errors.setdefault(code + message, Problem(code, message)).uids.append(uid)

    for candidate in candidates:
        uid, item = candidate["uid"], candidate["item"]
        options = item["options"]
        if sorted(options) != list(LETTERS):
            error("options", f"{uid}: needs exactly ten options A–J, has {len(options)}", uid)
        else:
            for letter, earlier in option_faults(options):
                if earlier is None:
                    error("options", f"{uid}: option {letter} is empty", uid)
                else:
                    error("options", f"{uid}: options {earlier} and {letter} are the same", uid)
        if item["answer"] not in LETTERS or item["answer"] not in options:
            error("key", f"{uid}: no key among the options", uid)
        if item["question_type"] not in QuestionType.values:
            error("type", f"{uid}: no question type", uid)
        if item["category"] not in Category.values:
            error("category", f"{uid}: no category", uid)
        duration = item["video_duration"]
        if not duration:
            error("duration", f"{uid}: video {item['video_id']} has no duration", uid)
        else:
            for start, end in candidate["spans"]:
                if end > duration + 0.5:
                    error(
                        "span",
                        f"{uid}: evidence {start:g}–{end:g} s ends after the video "
                        f"({duration:g} s)",
                        uid,
                    )
    report.errors = list(errors.values())
    if not candidates:
        report.errors.append(Problem("empty", "no accepted item matches the filters"))
        return report

    statistic, p_value, counts = answer_spread([c["item"]["answer"] for c in candidates])
    if p_value < UNEVEN_P:
        spread = ", ".join(f"{letter} {n}" for letter, n in counts.items())
        report.warnings.append(
            Problem(
                "answer_spread",
                f"answer letters are unevenly spread ({spread}; chi-square {statistic:.2f}, "
                f"9 degrees of freedom, p = {p_value:.4f})",
            )
        )
    longest = [
        c["uid"] for c in candidates if _key_is_longest(c["item"]["options"], c["item"]["answer"])
    ]
    if len(longest) > LONGEST_RATIO * len(candidates) / len(LETTERS):
        report.warnings.append(
            Problem(
                "longest_key",
                f"the key is the longest option in {len(longest)} of {len(candidates)} items "
                f"({100 * len(longest) / len(candidates):.1f}%; chance is 10%)",
                longest,
            )
        )
    shortcut = [
        c["uid"]
        for c in candidates
        if any(f.get("kind") == "answerable_without_video" for f in c["flags"])
    ]
    if shortcut:
        report.warnings.append(
            Problem(
                "shortcut",
                f"{len(shortcut)} item(s) flagged answerable without the video",
                shortcut,
            )
        )
    few = [c["uid"] for c in candidates if c["accepts"] < required_accepts]
    if few:
        report.warnings.append(
            Problem(
                "reviews",
                f"{len(few)} item(s) with fewer than {required_accepts} expert accept(s), "
                "including any accepted on import without review",
                few,
            )
        )
    return report


def _key_is_longest(options: dict[str, str], answer: str) -> bool:
    if answer not in options:
        return False
    key_length = len(options[answer])
    return all(len(text) < key_length for letter, text in options.items() if letter != answer)
