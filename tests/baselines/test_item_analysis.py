"""The item analysis computed on hand-built answer matrices: KR-20 and point-biserial
correlations against values worked out here with the statistics module, and every flag both
firing and not firing."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from baselines.analysis_table import TableInvalid, as_csv, filter_rows, sort_rows
from baselines.item_analysis import (
    HUMANS,
    MODELS,
    Item,
    Respondent,
    Response,
    analyse,
    key_length_bias,
    kr20,
)

LETTERS = "ABCDE"


def item(uid: str, key: str = "A", options: dict[str, str] | None = None) -> Item:
    return Item(
        uid=uid, key=key, options=options or {letter: f"opt {letter}" for letter in LETTERS}
    )


def humans(n: int) -> list[Respondent]:
    return [Respondent(id=f"h{i}", group=HUMANS, name=f"person {i}") for i in range(n)]


def from_letters(
    items: list[Item], letters: dict[str, str], *, seconds: float | None = None
) -> list[Response]:
    """Responses from {respondent: one letter per item ("-" for none, "." for not shown)}."""
    out = []
    for rid, row in letters.items():
        for it, letter in zip(items, row, strict=True):
            if letter == ".":
                continue
            chosen = "" if letter == "-" else letter
            out.append(Response(rid, it.uid, chosen, chosen == it.key, seconds))
    return out


def row_of(analysis: dict[str, Any], uid: str) -> dict[str, Any]:
    return next(row for row in analysis["items"] if row["uid"] == uid)


# Six humans × four items, all keyed A: 1 = right ("A"), 0 = a wrong letter.
MATRIX = [
    [1, 1, 1, 0],
    [1, 1, 0, 1],
    [1, 0, 1, 0],
    [1, 1, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 1],
]
WRONG = "BCDE"


def matrix_case() -> tuple[list[Item], list[Respondent], list[Response]]:
    items = [item(f"q{i}") for i in range(4)]
    letters = {
        f"h{r}": "".join("A" if right else WRONG[(r + c) % 4] for c, right in enumerate(row))
        for r, row in enumerate(MATRIX)
    }
    return items, humans(6), from_letters(items, letters, seconds=10.0)


def test_kr20_is_the_textbook_formula_on_a_complete_matrix() -> None:
    items, people, responses = matrix_case()
    k = len(MATRIX[0])
    totals = [sum(row) for row in MATRIX]
    ps = [statistics.fmean(row[c] for row in MATRIX) for c in range(k)]
    expected = k / (k - 1) * (1 - sum(p * (1 - p) for p in ps) / statistics.pvariance(totals))
    analysis = analyse(items, people, responses)
    assert analysis["split"]["kr20"]["humans"] == pytest.approx(expected, abs=1e-4)
    assert analysis["split"]["kr20"]["models"] is None  # no model answered
    assert analysis["split"]["kr20_respondents"] == {"humans": 6, "models": 0}


def test_discrimination_is_the_point_biserial_with_the_rest_score() -> None:
    items, people, responses = matrix_case()
    analysis = analyse(items, people, responses)
    for c, it in enumerate(items):
        right = [float(row[c]) for row in MATRIX]
        rest = [float(sum(row) - row[c]) for row in MATRIX]
        expected = statistics.correlation(right, rest)
        assert row_of(analysis, it.uid)["discrimination"]["humans"] == pytest.approx(
            expected, abs=1e-4
        )
        assert row_of(analysis, it.uid)["discrimination"]["models"] is None


def test_counts_choices_and_median_time() -> None:
    items, people, responses = matrix_case()
    first = row_of(analyse(items, people, responses), "q0")
    assert first["humans"]["n"] == 6
    assert first["humans"]["correct"] == 4
    assert first["humans"]["p"] == pytest.approx(4 / 6, abs=1e-4)
    assert first["humans"]["choices"]["A"] == 4
    assert sum(first["humans"]["choices"].values()) == 6
    assert first["humans"]["median_seconds"] == 10.0
    assert first["models"] == {
        "n": 0,
        "correct": 0,
        "p": None,
        "choices": dict.fromkeys(LETTERS, 0),
        "no_letter": 0,
    }


def test_too_few_respondents_or_no_variance_give_null() -> None:
    items, people, responses = matrix_case()
    four = [r for r in responses if r.respondent in {"h0", "h1", "h2", "h3"}]
    analysis = analyse(items, people[:4], four)
    assert analysis["split"]["kr20"]["humans"] is None
    assert all(row["discrimination"]["humans"] is None for row in analysis["items"])
    # Everyone right on every item: nothing varies.
    same = from_letters(items, {f"h{i}": "AAAA" for i in range(6)})
    analysis = analyse(items, people, same)
    assert analysis["split"]["kr20"]["humans"] is None
    assert row_of(analysis, "q0")["discrimination"]["humans"] is None
    assert kr20([[True, False]] * 6) is None


def test_kr20_leaves_out_respondents_who_missed_an_item() -> None:
    items, people, responses = matrix_case()
    partial = [r for r in responses if not (r.respondent == "h5" and r.uid == "q3")]
    analysis = analyse(items, people, partial)
    assert analysis["split"]["kr20_respondents"]["humans"] == 5
    rows = MATRIX[:5]
    totals = [sum(row) for row in rows]
    ps = [statistics.fmean(row[c] for row in rows) for c in range(4)]
    expected = 4 / 3 * (1 - sum(p * (1 - p) for p in ps) / statistics.pvariance(totals))
    assert analysis["split"]["kr20"]["humans"] == pytest.approx(expected, abs=1e-4)


def test_a_planted_wrong_key_is_found_and_a_sound_item_is_not() -> None:
    # q0..q3 are sound and tell the strong (h0–h2) from the weak (h3–h5); on q4 the strong
    # all choose C, while the key says A.
    items = [item(f"q{i}") for i in range(4)] + [item("q4", key="A")]
    letters = {
        "h0": "AAAAC",
        "h1": "AAAAC",
        "h2": "AAABC",
        "h3": "BBAAA",
        "h4": "BCDBA",
        "h5": "CDBEB",
    }
    analysis = analyse(items, humans(6), from_letters(items, letters))
    planted = row_of(analysis, "q4")
    assert "possible_wrong_key" in planted["flags"]
    assert planted["flag_details"]["possible_wrong_key"] == {
        "upper_n": 3,
        "key": "A",
        "key_count": 0,
        "distractor": "C",
        "distractor_count": 3,
    }
    assert "negative_discrimination" in planted["flags"]
    assert planted["flag_details"]["negative_discrimination"]["humans"] < 0
    for uid in ("q0", "q1", "q2", "q3"):
        assert "possible_wrong_key" not in row_of(analysis, uid)["flags"]
        assert "negative_discrimination" not in row_of(analysis, uid)["flags"]
    assert analysis["split"]["flags"]["possible_wrong_key"] == 1


def test_no_one_right_and_everyone_right_need_enough_answers() -> None:
    items = [item("q0"), item("q1"), item("q2")]
    letters = {f"h{i}": "AB" + "ABAAB"[i] for i in range(5)}
    analysis = analyse(items, humans(5), from_letters(items, letters))
    assert row_of(analysis, "q0")["flags"] == ["everyone_right"]
    assert row_of(analysis, "q0")["flag_details"]["everyone_right"] == {"n": 5, "correct": 5}
    assert "no_one_right" in row_of(analysis, "q1")["flags"]
    assert row_of(analysis, "q2")["flags"] == []
    four = {rid: row for rid, row in letters.items() if rid != "h4"}
    analysis = analyse(items, humans(4), from_letters(items, four))
    assert row_of(analysis, "q0")["flags"] == []
    assert row_of(analysis, "q1")["flags"] == []


def test_answerable_without_video_fires_when_the_text_runs_are_right() -> None:
    items = [item("q0"), item("q1")]
    people = [
        Respondent(id="m1", group=MODELS, name="vlm (video)"),
        Respondent(id="m2", group=MODELS, name="llm (text only)", text_only=True),
    ]
    responses = from_letters(items, {"m1": "AA", "m2": "AB"})
    analysis = analyse(items, people, responses)
    assert row_of(analysis, "q0")["flags"] == ["answerable_without_video"]
    assert row_of(analysis, "q0")["flag_details"]["answerable_without_video"] == {
        "text_runs": 1,
        "right": 1,
        "models": ["llm (text only)"],
    }
    assert row_of(analysis, "q1")["flags"] == []
    # Video runs alone never make an item answerable without the video.
    video_only = analyse(items, people[:1], [r for r in responses if r.respondent == "m1"])
    assert row_of(video_only, "q0")["flags"] == []


def test_dead_distractors_only_with_enough_answers() -> None:
    items = [item("q0"), item("q1")]
    letters = {f"h{i}": ["A", "B", "A", "C", "A", "B"][i] + "A" for i in range(6)}
    responses = from_letters(items, letters)
    analysis = analyse(items, humans(6), responses, dead_min=6)
    assert row_of(analysis, "q0")["flag_details"]["dead_distractors"] == {
        "n": 6,
        "letters": ["D", "E"],
    }
    assert row_of(analysis, "q1")["flag_details"]["dead_distractors"]["letters"] == list("BCDE")
    assert "dead_distractors" not in row_of(analyse(items, humans(6), responses), "q0")["flags"]


def test_no_letter_answers_count_as_answered_and_wrong() -> None:
    items = [item("q0")]
    analysis = analyse(items, humans(2), from_letters(items, {"h0": "-", "h1": "A"}))
    row = row_of(analysis, "q0")
    assert (row["humans"]["n"], row["humans"]["correct"], row["humans"]["no_letter"]) == (2, 1, 1)


def test_model_letter_preference_and_key_length_bias() -> None:
    items = [
        item("q0", key="A", options={"A": "a long key", "B": "b", "C": "c"}),
        item("q1", key="B", options={"A": "aa", "B": "bb", "C": "c"}),
        item("q2", key="C", options={"A": "a longer one", "B": "b", "C": "c"}),
    ]
    people = [Respondent(id="m1", group=MODELS, name="likes A")]
    analysis = analyse(items, people, from_letters(items, {"m1": "AAA"}))
    (preference,) = analysis["split"]["model_letters"]
    assert preference["chosen"] == {"A": 3, "B": 0, "C": 0}
    assert preference["keys"] == {"A": 1, "B": 1, "C": 1}
    assert preference["most_overchosen"] == {"letter": "A", "chosen": 3, "keys": 1}
    bias = key_length_bias(items)
    # q0's key is the longest; q1's key ties with A for longest; q2's is not.
    assert bias["key_longest"] == 2
    assert bias["expected"] == pytest.approx(1 / 3 + 2 / 3 + 1 / 3, abs=0.01)


def test_table_filters_sorts_and_writes_csv() -> None:
    items, people, responses = matrix_case()
    analysis = analyse(items, people, responses)
    for position, row in enumerate(analysis["items"]):
        row["position"] = position
    ordered = sort_rows(analysis["items"], "humans_p", descending=False)
    ps = [row["humans"]["p"] for row in ordered]
    assert ps == sorted(ps)
    assert filter_rows(analysis["items"], "") == analysis["items"]
    assert filter_rows(analysis["items"], "no_one_right") == []
    with pytest.raises(TableInvalid, match="unknown flag 'bogus'"):
        filter_rows(analysis["items"], "bogus")
    with pytest.raises(TableInvalid, match="unknown sort column"):
        sort_rows(analysis["items"], "nope", descending=True)
    lines = as_csv(analysis).splitlines()
    assert lines[0].startswith("position,uid,question,key,humans_n,humans_correct")
    assert lines[1].startswith("0,q0,,A,6,4,")
    assert len(lines) == 5
