"""The accuracy table's arithmetic and evaluator agreement."""

from __future__ import annotations

from decimal import Decimal

from baselines.paper import published_answers
from baselines.scoring import (
    CATEGORIES,
    TYPES,
    Scored,
    chance_row,
    format_table,
    krippendorff_alpha,
    percent,
    score_row,
    wilson,
)


def test_the_papers_counts_give_the_papers_table_exactly() -> None:
    row = score_row("pooled", published_answers())
    assert (row.overall.correct, row.overall.total) == (174, 1000)
    accs = [str(cell.acc) for cell in row.cells()]
    assert accs == ["17.40", "18.11", "18.70", "14.29", "15.88", "16.06", "21.19", "18.88"]
    shown = format_table([row.as_dict(), chance_row()])
    assert "17.40 (174/1000)" in shown and "21.19 (25/118)" in shown
    assert shown.splitlines()[-1].split() == ["chance", *["10.00"] * 8]


def test_percentages_round_half_up_from_integers() -> None:
    assert percent(1, 32) == Decimal("3.13")  # 3.125: a float's round() gives 3.12
    assert percent(1, 8) == Decimal("12.50")
    assert percent(2, 3) == Decimal("66.67")
    assert percent(0, 0) is None
    assert score_row("x", []).as_dict()["overall"] == {
        "correct": 0,
        "total": 0,
        "acc": None,
        "ci95": None,
    }


def test_wilson_interval() -> None:
    # (2np + z² ± z·sqrt(z² + 4np(1-p))) / (2(n + z²)), worked by hand.
    low, high = wilson(174, 1000) or (0, 0)
    assert (round(low, 2), round(high, 2)) == (15.18, 19.87)
    # None right of ten: 0 to 27.75%; all ten: 72.25 to 100%.
    assert [round(x, 2) for x in wilson(0, 10) or ()] == [0.0, 27.75]
    assert [round(x, 2) for x in wilson(10, 10) or ()] == [72.25, 100.0]
    assert wilson(0, 0) is None


def test_the_json_row_has_every_column() -> None:
    row = score_row("eva", [Scored(TYPES[0], "Biology", True)]).as_dict()
    assert list(row["by_type"]) == list(TYPES)
    assert list(row["by_category"]) == list(CATEGORIES)
    assert row["by_type"][TYPES[0]]["acc"] == 100.0
    assert row["by_category"]["Physics"]["acc"] is None
    assert chance_row()["overall"] == {"correct": None, "total": None, "acc": 10.0, "ci95": None}


def test_krippendorffs_alpha_on_krippendorffs_own_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": four observers,
    # twelve units, values 1-5 (None = no answer); nominal alpha = 0.743.
    data = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    units = {
        unit: {who: str(values[unit]) for who, values in data.items() if values[unit] is not None}
        for unit in range(12)
    }
    alpha = krippendorff_alpha(units)
    assert alpha is not None and round(alpha, 3) == 0.743
    assert krippendorff_alpha({1: {"a": "A", "b": "A"}, 2: {"a": "B", "b": "B"}}) == 1.0
    assert krippendorff_alpha({1: {"a": "A"}}) is None
