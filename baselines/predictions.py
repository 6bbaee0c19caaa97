"""Importing a model's predictions for a release split and scoring them.

Two file shapes are read (by `baselines.prediction_files`):

- lmms-eval's `--log_samples` output: one sample per line (or the older single JSON document
  with a `logs` list). A sample is matched by `doc_id`, the item's position in the split's
  JSONL, and then checked: its question (from the logged `doc`, or else the prompt) must be
  the released question, and its `target`, when it is a letter, the released key. A sample
  that fails either check belongs to another release or version and is not scored.
- Simple lines `{"uid": …, "prediction": …}`, matched by uid.

Every item of the split gets a prediction row: an item the file said nothing about is
`missing` and counts as wrong, so every model is scored over the same items. Lines that match
no item, and second lines for an item, are reported with their line number. A malformed file
is refused whole and nothing is stored; a good one replaces the model's earlier import in one
transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from django.db import transaction
from django.db.models import Count, Q

from baselines.models import ModelRun, Prediction
from baselines.prediction_files import PredictionsInvalid, Record, read_predictions
from baselines.scoring import Row, row_from_groups
from releases.export import release_file
from releases.harness.reply_reader import official_answer, read_letter, release_key
from releases.models import Release, ReleaseItem
from sciannot.accounts.models import User
from sciannot.vocabulary import TIME_LIKE

# The name of the second row: replies scored as the official SciVideoBench task scores them.
OFFICIAL_ROW = "official rule"
# How many problems a report lists line by line; the rest are counted.
REPORT_LIMIT = 50
MODEL_NAME_MAX = 200


@dataclass(frozen=True)
class ItemFacts:
    pk: int
    uid: str
    question: str
    options: dict[str, str]
    answer: str
    question_type: str
    category: str


@dataclass
class ImportReport:
    run: ModelRun
    replaced: bool
    lines: int
    scored: int
    missing: list[str]
    unmatched: list[dict[str, Any]]
    unchecked: int
    careful: Row
    official: Row
    unreadable: int
    guessed: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.run.model,
            "release": self.run.release.name,
            "version": self.run.release.version,
            "split": self.run.split,
            "format": self.run.format,
            "replaced": self.replaced,
            "lines": self.lines,
            "scored": self.scored,
            "missing": self.missing,
            "unmatched": self.unmatched,
            "unchecked": self.unchecked,
            "unreadable": self.unreadable,
            "guessed": self.guessed,
            "careful": self.careful.as_dict(),
            "official": self.official.as_dict(),
        }


# --- Matching against the release ----------------------------------------------------------

_TOKEN = re.compile(rf"{TIME_LIKE}|\w+")
_TIME = re.compile(TIME_LIKE)


def _words(text: str) -> list[str]:
    """Lower-cased words, without times (`02:22`, and ratios such as `1:10` that look like
    them): lmms-eval rewrites a question's times to frame numbers in its prompt."""
    return [w for w in _TOKEN.findall(text.casefold()) if not _TIME.fullmatch(w)]


def same_question(released: str, logged: str) -> bool:
    """Whether `logged` (a logged question, or a whole prompt) holds the released question:
    its words in order, with at most a few words put in between (a time rewritten as
    "frame 120" for a time)."""
    if " ".join(released.split()) == " ".join(logged.split()):
        return True
    wanted, seen = _words(released), _words(logged)
    if not wanted:
        return False
    slack = 3 * len(_TIME.findall(released)) + 4
    for start, word in enumerate(seen):
        if word != wanted[0]:
            continue
        position, matched = start + 1, 1
        while matched < len(wanted) and position < len(seen):
            if position - start - matched > slack:
                break
            if seen[position] == wanted[matched]:
                matched += 1
            position += 1
        if matched == len(wanted) and position - start - len(wanted) <= slack:
            return True
    return False


def split_facts(release: Release, split: str) -> list[ItemFacts]:
    """The split's items in release order, read from its stored JSONL in one pass."""
    stored = release_file(release, split, "jsonl")
    if stored is None:
        raise PredictionsInvalid(f"{release.name} {release.version} has no split {split!r}")
    pks = dict(
        ReleaseItem.objects.filter(release=release, split=split).values_list("position", "pk")
    )
    facts = []
    with stored.file.open("rb") as handle:
        for position, line in enumerate(handle):
            item = orjson.loads(line)
            facts.append(
                ItemFacts(
                    pk=pks[position],
                    uid=item["uid"],
                    question=item["question"],
                    options=dict(item["options"]),
                    answer=item["answer"],
                    question_type=item["question_type"],
                    category=item["category"],
                )
            )
    return facts


def _match(
    records: list[Record], facts: list[ItemFacts], other_splits: dict[str, str]
) -> tuple[dict[int, Record], list[dict[str, Any]], int]:
    """Records by item position, the lines that matched nothing, and how many lines could
    not be checked against the question."""
    by_uid = {fact.uid: position for position, fact in enumerate(facts)}
    matched: dict[int, Record] = {}
    unmatched: list[dict[str, Any]] = []
    unchecked = 0
    for record in records:
        position: int | None
        if record.uid is not None:
            position = by_uid.get(record.uid)
            if position is None:
                where = other_splits.get(record.uid)
                reason = (
                    f"uid {record.uid} is in split {where!r}, not this one"
                    if where
                    else f"uid {record.uid} is not in this release"
                )
                unmatched.append({"line": record.line, "reason": reason})
                continue
        else:
            assert record.doc_id is not None
            position = record.doc_id
            if position >= len(facts):
                unmatched.append(
                    {
                        "line": record.line,
                        "reason": f"doc_id {position} is beyond the split's {len(facts)} items",
                    }
                )
                continue
            fact = facts[position]
            texts = [t for t in (record.doc_question, record.prompt) if t]
            if not texts:
                unchecked += 1
            elif not any(same_question(fact.question, text) for text in texts):
                unmatched.append(
                    {
                        "line": record.line,
                        "reason": f"doc_id {position}: the logged question is not the "
                        f"release's item {position} ({fact.uid}); another release or version?",
                    }
                )
                continue
            target = (record.target or "").strip("() .").upper()
            if len(target) == 1 and target.isalpha() and target != fact.answer:
                unmatched.append(
                    {
                        "line": record.line,
                        "reason": f"doc_id {position}: the logged target is {target} but the "
                        f"release's key is {fact.answer}; another version?",
                    }
                )
                continue
        if position in matched:
            unmatched.append(
                {
                    "line": record.line,
                    "reason": f"a second prediction for {facts[position].uid} (line "
                    f"{matched[position].line} is kept)",
                }
            )
            continue
        matched[position] = record
    return matched, unmatched, unchecked


# --- Scoring and storing a run -------------------------------------------------------------


def scored_prediction(
    fact: ItemFacts, reply: str, seed: str, *, line: int | None = None, raw: Any = None
) -> Prediction:
    """An item's prediction row for a reply, read by both rules of the shared reply reader:
    the one way replies are scored, whether they come from a file or from a run in the app.
    `seed` is the release's `release_key`."""
    official, guessed = official_answer(reply, release=seed, uid=fact.uid)
    careful = read_letter(reply, fact.options) or ""
    return Prediction(
        item_id=fact.pk,
        question_type=fact.question_type,
        category=fact.category,
        line=line,
        reply=reply,
        raw=raw,
        official_letter=official,
        official_correct=official == fact.answer,
        official_guessed=guessed,
        careful_letter=careful,
        careful_correct=careful == fact.answer,
    )


def missing_prediction(fact: ItemFacts) -> Prediction:
    """The row of an item that got no reply (counted wrong)."""
    return Prediction(
        item_id=fact.pk, question_type=fact.question_type, category=fact.category, missing=True
    )


def store_run(
    rows: list[Prediction], *, release: Release, split: str, model: str, **fields: Any
) -> tuple[ModelRun, bool]:
    """Store a run with its prediction rows, replacing the model's earlier run on the split;
    returns the run and whether one was replaced."""
    with transaction.atomic():
        # Runs stored into one release wait for each other here, so two uploads of the same
        # model at once behave as one after the other (the later replaces the earlier)
        # instead of racing to the unique constraint.
        Release.objects.select_for_update().filter(pk=release.pk).first()
        earlier = (
            ModelRun.objects.select_for_update()
            .filter(release=release, split=split, model=model)
            .first()
        )
        if earlier is not None:
            earlier.delete()
        run = ModelRun.objects.create(release=release, split=split, model=model, **fields)
        for row in rows:
            row.run = run
        Prediction.objects.bulk_create(rows, batch_size=2000)
    return run, earlier is not None


# --- Import ---------------------------------------------------------------------------------


def import_predictions(
    *,
    release: Release,
    split: str,
    model: str,
    handle: IO[bytes],
    file_name: str,
    user: User | None = None,
) -> ImportReport:
    model = " ".join(model.split())
    if not model:
        raise PredictionsInvalid("a model needs a name")
    if len(model) > MODEL_NAME_MAX:
        raise PredictionsInvalid(f"a model name is at most {MODEL_NAME_MAX} characters")
    if not release.sealed:
        raise PredictionsInvalid(f"{release.name} {release.version} is not frozen")
    kind, records, sha256 = read_predictions(handle)
    facts = split_facts(release, split)
    other_splits = dict(
        ReleaseItem.objects.filter(release=release).exclude(split=split).values_list("uid", "split")
    )
    matched, unmatched, unchecked = _match(records, facts, other_splits)
    if not matched:
        first = unmatched[0]["reason"] if unmatched else "no predictions"
        raise PredictionsInvalid(
            f"no line matched an item of {release.name} {release.version} ({split}); "
            f"line {unmatched[0]['line'] if unmatched else '-'}: {first}"
        )
    rows = []
    missing = []
    # The official rule's guesses depend on the release and the item only, so the same
    # replies give the same row whatever the model is called and however they arrive.
    seed = release_key(release.name, release.version)
    for position, fact in enumerate(facts):
        record = matched.get(position)
        if record is None:
            missing.append(fact.uid)
            rows.append(missing_prediction(fact))
            continue
        rows.append(scored_prediction(fact, record.reply, seed, line=record.line, raw=record.raw))
    run, earlier = store_run(
        rows,
        release=release,
        split=split,
        model=model,
        format=kind,
        file_name=Path(file_name).name[:255],
        file_sha256=sha256,
        lines=len(records),
        unmatched=unmatched,
        unchecked=unchecked,
        imported_by=user,
    )
    scores = run_rows(run)
    return ImportReport(
        run=run,
        replaced=earlier,
        lines=len(records),
        scored=len(matched),
        missing=missing,
        unmatched=unmatched,
        unchecked=unchecked,
        careful=scores.careful,
        official=scores.official,
        unreadable=scores.unreadable,
        guessed=scores.guessed,
    )


@dataclass(frozen=True)
class RunScores:
    """A run's two table rows and what lies behind them."""

    careful: Row
    official: Row
    # Replies the careful reader could not read (missing items not included).
    unreadable: int
    # Replies in which the official rule found no letter, so its seeded guess stood in.
    guessed: int
    # Items the file had no prediction for.
    missing: int


def run_rows(run: ModelRun) -> RunScores:
    """The run's table rows by the careful reader and by the official rule, counted in SQL."""
    groups = (
        Prediction.objects.filter(run=run)
        .values("question_type", "category")
        .annotate(
            total=Count("pk"),
            careful=Count("pk", filter=Q(careful_correct=True)),
            official=Count("pk", filter=Q(official_correct=True)),
            unreadable=Count("pk", filter=Q(careful_letter="", missing=False)),
            guessed=Count("pk", filter=Q(official_guessed=True)),
            missing=Count("pk", filter=Q(missing=True)),
        )
    )
    careful: dict[tuple[str, str], tuple[int, int]] = {}
    official: dict[tuple[str, str], tuple[int, int]] = {}
    unreadable = guessed = missing = 0
    for group in groups:
        key = (group["question_type"], group["category"])
        careful[key] = (group["careful"], group["total"])
        official[key] = (group["official"], group["total"])
        unreadable += group["unreadable"]
        guessed += group["guessed"]
        missing += group["missing"]
    return RunScores(
        careful=row_from_groups(run.model, careful, unreadable=unreadable),
        official=row_from_groups(f"{run.model} ({OFFICIAL_ROW})", official, guessed=guessed),
        unreadable=unreadable,
        guessed=guessed,
        missing=missing,
    )


__all__ = [
    "OFFICIAL_ROW",
    "ImportReport",
    "RunScores",
    "import_predictions",
    "missing_prediction",
    "run_rows",
    "same_question",
    "scored_prediction",
    "store_run",
]
