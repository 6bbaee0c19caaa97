"""The leaderboard of a release split: every imported model (read carefully, with the official
SciVideoBench rule beside it, the number of unreadable replies and of the official rule's
guesses), the human baseline of each study over the split, and chance, in one table, with
CSV, JSON and Markdown renderings.

Every percentage is computed from its integer counts (`scoring.percent`), so no cell can
disagree with its counts.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from baselines.models import Answer, ModelRun, Study
from baselines.predictions import OFFICIAL_ROW, run_rows
from baselines.scoring import CATEGORIES, HEADERS, TYPES, chance_row, format_table
from baselines.services import study_report
from releases.models import Release

# Column keys, in the paper's order, as the page and `?sort=` name them.
COLUMNS: tuple[str, ...] = (
    "overall",
    "conceptual",
    "hypothetical",
    "quantitative",
    *(c.lower() for c in CATEGORIES),
)
COLUMN_TITLES = dict(zip(COLUMNS, HEADERS, strict=True))


def row_cells(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A row's cells in column order."""
    return [
        row["overall"],
        *(row["by_type"][t] for t in TYPES),
        *(row["by_category"][c] for c in CATEGORIES),
    ]


def cell_of(row: dict[str, Any], column: str) -> dict[str, Any]:
    return row_cells(row)[COLUMNS.index(column)]


def leaderboard(release: Release, split: str) -> dict[str, Any]:
    """Rows of every kind, best overall first (chance included where it falls)."""
    rows: list[dict[str, Any]] = []
    for run in ModelRun.objects.filter(release=release, split=split).order_by("model"):
        scores = run_rows(run)
        row = scores.careful.as_dict()
        row.update(
            kind="model",
            unreadable=scores.unreadable,
            guessed=scores.guessed,
            missing=scores.missing,
            official={
                key: value for key, value in scores.official.as_dict().items() if key != "name"
            },
            imported_at=run.imported_at.isoformat(),
            origin=run.origin,
        )
        if run.run_settings:
            row["settings"] = run.run_settings
        rows.append(row)
    studies = [
        study
        for study in Study.objects.filter(release=release, split=split).order_by("created_at")
        if Answer.objects.filter(participation__study=study, answered_at__isnull=False).exists()
    ]
    for study in studies:
        report = study_report(study)
        pooled = next(r for r in report["rows"] if r["name"] == "pooled")
        name = "human baseline" if len(studies) == 1 else f"human baseline ({study.name})"
        evaluators = len([r for r in report["rows"] if r["name"] not in ("pooled", "chance")])
        pooled.update(
            name=name,
            kind="human",
            study=study.name,
            evaluators=evaluators,
            status=study.status,
            krippendorff_alpha=report["krippendorff_alpha"],
        )
        rows.append(pooled)
    chance = chance_row()
    chance["kind"] = "chance"
    rows.append(chance)
    return {
        "release": release.name,
        "version": release.version,
        "split": split,
        "items": release.items.filter(split=split).count(),
        "rows": sort_rows(rows, "overall", descending=True),
    }


def sort_rows(rows: list[dict[str, Any]], column: str, *, descending: bool) -> list[dict[str, Any]]:
    """Rows ordered by a column's accuracy; ties keep their order, empty cells go last."""

    def key(row: dict[str, Any]) -> float:
        acc = cell_of(row, column)["acc"]
        if acc is None:
            return float("inf")
        return -acc if descending else acc

    return sorted(rows, key=key)


def table_text(board: dict[str, Any]) -> str:
    """The fixed-width table: each model's careful row with its official-rule row under it."""
    lines: list[dict[str, Any]] = []
    for row in board["rows"]:
        lines.append(row)
        if row["kind"] == "model":
            lines.append({"name": f"  {OFFICIAL_ROW}", **row["official"]})
    text = format_table(lines)
    notes = [
        f"{row['name']}: {row['unreadable']} unreadable, {row['missing']} missing, "
        f"{row['guessed']} guessed by the {OFFICIAL_ROW}"
        for row in board["rows"]
        if row["kind"] == "model" and (row["unreadable"] or row["missing"] or row["guessed"])
    ]
    return "\n".join([text, *notes])


def as_csv(board: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["name", "kind", "scorer"]
    for column in COLUMNS:
        header += [f"{column}_correct", f"{column}_total", f"{column}_acc"]
        header += [f"{column}_ci95_low", f"{column}_ci95_high"]
    writer.writerow([*header, "unreadable", "guessed", "missing"])

    def line(name: str, kind: str, scorer: str, row: dict[str, Any], extra: list[Any]) -> None:
        values: list[Any] = [name, kind, scorer]
        for cell in row_cells(row):
            interval = cell["ci95"] or ["", ""]
            values += [
                "" if cell["correct"] is None else cell["correct"],
                "" if cell["total"] is None else cell["total"],
                "" if cell["acc"] is None else f"{cell['acc']:.2f}",
                "" if interval[0] == "" else f"{interval[0]:.2f}",
                "" if interval[1] == "" else f"{interval[1]:.2f}",
            ]
        writer.writerow(values + extra)

    for row in board["rows"]:
        if row["kind"] == "model":
            line(row["name"], "model", "careful", row, [row["unreadable"], "", row["missing"]])
            line(
                row["name"],
                "model",
                "official",
                row["official"],
                ["", row["guessed"], row["missing"]],
            )
        else:
            scorer = "" if row["kind"] == "chance" else "answers"
            line(row["name"], row["kind"], scorer, row, ["", "", ""])
    return out.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def as_markdown(board: dict[str, Any]) -> str:
    """A Markdown table for a README: accuracy with its counts in every cell."""

    def cell_text(cell: dict[str, Any]) -> str:
        if cell["acc"] is None:
            return "–"
        if cell["total"] is None:
            return f"{cell['acc']:.2f}"
        return f"{cell['acc']:.2f} ({cell['correct']}/{cell['total']})"

    lines = [
        "| " + " | ".join(("Name", *HEADERS)) + " |",
        "|" + "---|" + "---:|" * len(HEADERS),
    ]
    for row in board["rows"]:
        entries = [(row["name"], row)]
        if row["kind"] == "model":
            entries.append(
                (f"{row['name']} ({OFFICIAL_ROW}, {row['guessed']} guessed)", row["official"])
            )
        for name, cells in entries:
            texts = [cell_text(c) for c in row_cells(cells)]
            lines.append("| " + " | ".join([_md_escape(name), *texts]) + " |")
    lines.append("")
    lines.append(
        f"{board['release']} {board['version']} ({board['split']}, {board['items']} items). "
        "Accuracy in percent, rounded half-up from the counts in brackets; a model's first row "
        "reads its replies carefully (an unreadable reply counts as wrong), the official-rule "
        "row scores them as the official SciVideoBench task does, with a guess seeded by the "
        "release and the item where that rule finds no letter."
    )
    return "\n".join(lines) + "\n"
