"""An item analysis as a table: the columns it sorts by, filtering by flag, and its CSV and
plain-text renderings (the page, its downloads and the command share them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from baselines.item_analysis import FLAGS, GROUPS

# Sortable columns: name → (title, how a row's value is read).
SORTS: dict[str, tuple[str, Callable[[dict[str, Any]], float | None]]] = {
    "position": ("Position", lambda row: row["position"]),
    "humans_p": ("Humans right", lambda row: row["humans"]["p"]),
    "models_p": ("Models right", lambda row: row["models"]["p"]),
    "humans_disc": ("Humans discrimination", lambda row: row["discrimination"]["humans"]),
    "models_disc": ("Models discrimination", lambda row: row["discrimination"]["models"]),
    "humans_n": ("Humans answering", lambda row: row["humans"]["n"]),
    "models_n": ("Models answering", lambda row: row["models"]["n"]),
    "flags": ("Flags", lambda row: len(row["flags"])),
}


class TableInvalid(ValueError):
    """A sort column or flag that the table does not have; the message names the choices."""


def filter_rows(rows: list[dict[str, Any]], flag: str) -> list[dict[str, Any]]:
    """The rows carrying `flag` ("" keeps them all; "any" keeps the flagged ones)."""
    if not flag:
        return rows
    if flag == "any":
        return [row for row in rows if row["flags"]]
    if flag not in FLAGS:
        raise TableInvalid(f"unknown flag {flag!r} (use one of: any, {', '.join(FLAGS)})")
    return [row for row in rows if flag in row["flags"]]


def sort_rows(rows: list[dict[str, Any]], column: str, *, descending: bool) -> list[dict[str, Any]]:
    """Rows ordered by `column`; ties keep release order and empty values go last."""
    if column not in SORTS:
        raise TableInvalid(f"unknown sort column {column!r} (use one of: {', '.join(SORTS)})")
    read = SORTS[column][1]
    present = [row for row in rows if read(row) is not None]
    empty = [row for row in rows if read(row) is None]
    present.sort(key=lambda row: read(row) or 0, reverse=descending)
    return present + empty


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def csv_columns(analysis: dict[str, Any]) -> list[str]:
    letters = sorted({letter for row in analysis["items"] for letter in row["humans"]["choices"]})
    columns = ["position", "uid", "question", "key"]
    for group in GROUPS:
        columns += [f"{group}_n", f"{group}_correct", f"{group}_p", f"{group}_discrimination"]
        columns += [f"{group}_{letter}" for letter in letters] + [f"{group}_no_letter"]
    return [*columns, "humans_median_seconds", "flags"]


def as_csv(analysis: dict[str, Any], rows: list[dict[str, Any]] | None = None) -> str:
    """One line per item: counts, proportions, discriminations, letters and flags."""
    columns = csv_columns(analysis)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in analysis["items"] if rows is None else rows:
        values: dict[str, Any] = {
            "position": row["position"],
            "uid": row["uid"],
            "question": row.get("question") or "",
            "key": row["key"],
            "humans_median_seconds": _number(row["humans"].get("median_seconds")),
            "flags": ";".join(row["flags"]),
        }
        for group in GROUPS:
            summary = row[group]
            values[f"{group}_n"] = summary["n"]
            values[f"{group}_correct"] = summary["correct"]
            values[f"{group}_p"] = _number(summary["p"])
            values[f"{group}_discrimination"] = _number(row["discrimination"][group])
            values[f"{group}_no_letter"] = summary["no_letter"]
            for letter, count in summary["choices"].items():
                values[f"{group}_{letter}"] = count
        writer.writerow([values.get(column, "") for column in columns])
    return out.getvalue()


def table_text(analysis: dict[str, Any]) -> str:
    """A plain-text table for the terminal, then the split's figures."""
    split = analysis["split"]
    lines = [
        f"{split.get('release', '')} {split.get('version', '')} ({split.get('split', '')}, "
        f"{split['items']} items; {split['respondents']['humans']} human respondents, "
        f"{split['respondents']['models']} model runs)",
        f"{'uid':<16} {'key':>3} {'humans':>9} {'models':>9} {'disc h':>7} {'disc m':>7}  flags",
    ]
    for row in analysis["items"]:
        humans, models = row["humans"], row["models"]
        lines.append(
            f"{row['uid']:<16} {row['key']:>3} "
            f"{humans['correct']:>4}/{humans['n']:<4} {models['correct']:>4}/{models['n']:<4} "
            f"{_number(row['discrimination']['humans']) or '-':>7} "
            f"{_number(row['discrimination']['models']) or '-':>7}  " + ", ".join(row["flags"])
        )
    kr = split["kr20"]
    lines.append(
        f"KR-20: humans {_number(kr['humans']) or '-'}, models {_number(kr['models']) or '-'}"
    )
    length = split["key_length"]
    lines.append(
        f"The key is the longest option in {length['key_longest']} of {length['items']} items "
        f"(chance: {length['expected']})"
    )
    flagged = ", ".join(f"{name} {n}" for name, n in split["flags"].items() if n)
    lines.append(f"Flagged: {flagged or 'none'}")
    return "\n".join(lines) + "\n"


def flag_text(name: str, details: dict[str, Any]) -> str:
    """A flag with the numbers behind it, in words."""
    if name == "possible_wrong_key":
        return (
            f"of the better {details['upper_n']} respondents, {details['distractor_count']} chose "
            f"{details['distractor']} and {details['key_count']} the key {details['key']}"
        )
    if name == "no_one_right":
        return f"none of {details['n']} right"
    if name == "everyone_right":
        return f"all {details['n']} right"
    if name == "answerable_without_video":
        return f"right without the video: {', '.join(details['models'])}"
    if name == "negative_discrimination":
        return ", ".join(f"{group} {value:g}" for group, value in details.items())
    if name == "dead_distractors":
        return f"never chosen by {details['n']}: {', '.join(details['letters'])}"
    return ""
