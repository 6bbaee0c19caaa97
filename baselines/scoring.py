"""Accuracy tables in SciVideoBench's layout, computed from integer counts.

Every percentage comes from its own `correct / total`, rounded half-up to two decimals
(17.40, never the 17.4 of a float that drifted), with a 95% Wilson interval, so no cell can
disagree with its counts. Also Krippendorff's alpha for evaluators who answered the same
items. Replies are read as letters in `releases.harness.reply_reader`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reviews.models import QuestionType
from sciannot.taxonomy import Category

# Columns in the order the paper's table gives them.
TYPES: tuple[str, ...] = (
    QuestionType.CONCEPTUAL,
    QuestionType.HYPOTHETICAL,
    QuestionType.QUANTITATIVE,
)
CATEGORIES: tuple[str, ...] = (
    Category.BIOLOGY,
    Category.CHEMISTRY,
    Category.MEDICINE,
    Category.PHYSICS,
)
CHANCE = Decimal("10.00")
# The 97.5th percentile of the standard normal distribution: a two-sided 95% interval.
Z95 = 1.959963984540054


def percent(correct: int, total: int) -> Decimal | None:
    """`correct / total` in percent, half-up to two decimals; None for no items."""
    if total == 0:
        return None
    return (Decimal(100 * correct) / Decimal(total)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def wilson(correct: int, total: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion, in percent (0–100)."""
    if total == 0:
        return None
    p = correct / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, 100 * (centre - half)), min(100.0, 100 * (centre + half))


@dataclass(frozen=True)
class Cell:
    correct: int
    total: int

    @property
    def acc(self) -> Decimal | None:
        return percent(self.correct, self.total)

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.correct, self.total)

    def as_dict(self) -> dict[str, Any]:
        acc = self.acc
        interval = self.interval
        return {
            "correct": self.correct,
            "total": self.total,
            "acc": float(acc) if acc is not None else None,
            "ci95": [round(interval[0], 2), round(interval[1], 2)] if interval else None,
        }


@dataclass(frozen=True)
class Scored:
    """One answered item: its type, its category, and whether the answer was right."""

    question_type: str
    category: str
    correct: bool


@dataclass
class Row:
    name: str
    overall: Cell
    by_type: dict[str, Cell]
    by_category: dict[str, Cell]
    # Replies that could not be read as a letter (counted wrong); None where not relevant.
    unreadable: int | None = None
    # Replies the official rule found no letter in, scored by its seeded guess; None where
    # not relevant.
    guessed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": self.name,
            "overall": self.overall.as_dict(),
            "by_type": {name: cell.as_dict() for name, cell in self.by_type.items()},
            "by_category": {name: cell.as_dict() for name, cell in self.by_category.items()},
        }
        if self.unreadable is not None:
            row["unreadable"] = self.unreadable
        if self.guessed is not None:
            row["guessed"] = self.guessed
        return row

    def cells(self) -> list[Cell]:
        """Overall, then the types, then the categories: the paper's column order."""
        return [self.overall, *self.by_type.values(), *self.by_category.values()]


def score_row(name: str, answers: Iterable[Scored], *, unreadable: int | None = None) -> Row:
    """Count right answers overall, per type and per category."""
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for answer in answers:
        for key in ("", "t:" + answer.question_type, "c:" + answer.category):
            seen[key] += 1
            right[key] += answer.correct
    return Row(
        name=name,
        overall=Cell(right[""], seen[""]),
        by_type={t: Cell(right["t:" + t], seen["t:" + t]) for t in TYPES},
        by_category={c: Cell(right["c:" + c], seen["c:" + c]) for c in CATEGORIES},
        unreadable=unreadable,
    )


def row_from_groups(
    name: str,
    groups: dict[tuple[str, str], tuple[int, int]],
    *,
    unreadable: int | None = None,
    guessed: int | None = None,
) -> Row:
    """A row from (correct, total) counted per (type, category), as a GROUP BY gives them."""

    def cell(kind: str | None = None, category: str | None = None) -> Cell:
        chosen = [
            counts
            for (t, c), counts in groups.items()
            if kind in (None, t) and category in (None, c)
        ]
        return Cell(sum(right for right, _ in chosen), sum(total for _, total in chosen))

    return Row(
        name=name,
        overall=cell(),
        by_type={kind: cell(kind=kind) for kind in TYPES},
        by_category={category: cell(category=category) for category in CATEGORIES},
        unreadable=unreadable,
        guessed=guessed,
    )


def chance_row() -> dict[str, Any]:
    """Guessing among ten options: 10% everywhere, with no counts."""
    cell = {"correct": None, "total": None, "acc": float(CHANCE), "ci95": None}
    return {
        "name": "chance",
        "overall": dict(cell),
        "by_type": {t: dict(cell) for t in TYPES},
        "by_category": {c: dict(cell) for c in CATEGORIES},
    }


HEADERS = ("Overall", "Conceptual", "Hypothetical", "Quantitative", *CATEGORIES)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """The rows as a fixed-width text table: `acc (correct/total)` per cell."""

    def cell_text(cell: dict[str, Any]) -> str:
        if cell["acc"] is None:
            return "–"
        if cell["total"] is None:
            return f"{cell['acc']:.2f}"
        return f"{cell['acc']:.2f} ({cell['correct']}/{cell['total']})"

    table = [("", *HEADERS)]
    for row in rows:
        cells = [row["overall"], *row["by_type"].values(), *row["by_category"].values()]
        table.append((row["name"], *(cell_text(c) for c in cells)))
    widths = [max(len(line[n]) for line in table) for n in range(len(table[0]))]
    return "\n".join(
        "  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


# --- Agreement between evaluators -----------------------------------------------------------


def krippendorff_alpha(units: dict[Any, dict[Any, str]]) -> float | None:
    """Krippendorff's alpha for nominal data: `units` maps an item to {evaluator: letter}.
    Only items with two or more answers count. None when there is nothing to compare or no
    variation at all."""
    coincidences: dict[tuple[str, str], float] = defaultdict(float)
    for answers in units.values():
        values = list(answers.values())
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidences[(a, b)] += 1 / (m - 1)
    n = sum(coincidences.values())
    if n <= 1:
        return None
    totals: dict[str, float] = defaultdict(float)
    for (a, _), weight in coincidences.items():
        totals[a] += weight
    observed = sum(w for (a, b), w in coincidences.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n - 1)
    if expected == 0:
        return None
    return 1 - observed / expected
