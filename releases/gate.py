"""The quality gate run before a freeze: errors block it, warnings are listed with their items.

Errors: not exactly ten distinct non-empty options, no key, evidence outside the video, a
missing type, category or video duration. Warnings: answer letters unevenly spread (a
chi-square test against uniform, with its p-value), the key being the longest option far more
often than one time in ten, near-duplicate questions within a video, items flagged
"answerable without the video", and items with fewer accepts than the benchmark asks for
(including those accepted on import, unreviewed).
"""

from __future__ import annotations

import math
import multiprocessing
import re
import traceback
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import orjson

from reviews.models import QuestionType
from reviews.services.item_format import option_faults
from sciannot.taxonomy import Category
from sciannot.vocabulary import CLOCK_TIME, LETTERS

TYPES = frozenset(QuestionType.values)
CATEGORIES = frozenset(Category.values)
LETTER_SET = frozenset(LETTERS)
# Questions of one video whose word 3-grams overlap this much (Jaccard) are near-duplicates.
NEAR_DUPLICATE = 0.8
_WORDS = re.compile(r"[^\W_]+")
_TIMES = re.compile(CLOCK_TIME)
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


class Gate:
    """Checks items one at a time (a freeze streams them), then reports."""

    def __init__(self, *, required_accepts: int) -> None:
        self.required_accepts = required_accepts
        self.items = 0
        self._errors: dict[str, Problem] = {}
        self._answers: Counter[str] = Counter()
        self._longest: list[str] = []
        self._shortcut: list[str] = []
        self._few: list[str] = []
        self._video: str | None = None
        self._shingles: list[tuple[str, frozenset[tuple[str, ...]]]] = []
        self._near: list[tuple[str, str, float]] = []

    def _error(self, code: str, message: str, uid: str) -> None:
        self._errors.setdefault(code + message, Problem(code, message)).uids.append(uid)

    def add(
        self,
        *,
        uid: str,
        item: dict[str, Any],
        spans: list[tuple[float, float]],
        flags: list[dict[str, Any]],
        accepts: int,
    ) -> None:
        self.items += 1
        options = item["options"]
        if options.keys() != LETTER_SET:
            self._error("options", f"{uid}: needs exactly ten options A–J, has {len(options)}", uid)
        elif not _plainly_distinct(options):
            for letter, earlier in option_faults(options):
                if earlier is None:
                    self._error("options", f"{uid}: option {letter} is empty", uid)
                else:
                    self._error(
                        "options", f"{uid}: options {earlier} and {letter} are the same", uid
                    )
        if item["answer"] not in LETTERS or item["answer"] not in options:
            self._error("key", f"{uid}: no key among the options", uid)
        if item["question_type"] not in TYPES:
            self._error("type", f"{uid}: no question type", uid)
        if item["category"] not in CATEGORIES:
            self._error("category", f"{uid}: no category", uid)
        duration = item["video_duration"]
        if not duration:
            self._error("duration", f"{uid}: video {item['video_id']} has no duration", uid)
        else:
            for start, end in spans:
                if end > duration + 0.5:
                    self._error(
                        "span",
                        f"{uid}: evidence {start:g}–{end:g} s ends after the video "
                        f"({duration:g} s)",
                        uid,
                    )
        self._answers[item["answer"]] += 1
        if _key_is_longest(options, item["answer"]):
            self._longest.append(uid)
        if any(f.get("kind") == "answerable_without_video" for f in flags):
            self._shortcut.append(uid)
        if accepts < self.required_accepts:
            self._few.append(uid)
        if item["video_id"] != self._video:
            self._compare_video()
            self._video = item["video_id"]
        self._shingles.append((uid, shingles(item["question"])))

    def _compare_video(self) -> None:
        """Near-duplicate questions among one video's items (items come video by video)."""
        found = self._shingles
        # Jaccard is at most small / large: taken by size, each item is compared only with
        # the next ones up to 1 / NEAR_DUPLICATE times its size.
        by_size = sorted(range(len(found)), key=lambda n: len(found[n][1]))
        pairs = []
        for place, n in enumerate(by_size):
            mine = found[n][1]
            small = len(mine)
            if not small:
                continue
            limit = small / NEAR_DUPLICATE
            for m in by_size[place + 1 :]:
                theirs = found[m][1]
                large = len(theirs)
                if large > limit:
                    break
                common = len(mine & theirs)
                similarity = common / (small + large - common)
                if similarity >= NEAR_DUPLICATE:
                    pairs.append((min(n, m), max(n, m), similarity))
        # Reported in the order the items came.
        self._near.extend((found[a][0], found[b][0], s) for a, b, s in sorted(pairs))
        self._shingles = []

    def report(self) -> GateReport:
        self._compare_video()
        report = GateReport(items=self.items, errors=list(self._errors.values()))
        if not self.items:
            report.errors.append(Problem("empty", "no accepted item matches the filters"))
            return report
        answers = [letter for letter, n in self._answers.items() for _ in range(n)]
        statistic, p_value, counts = answer_spread(answers)
        if p_value < UNEVEN_P:
            spread = ", ".join(f"{letter} {n}" for letter, n in counts.items())
            report.warnings.append(
                Problem(
                    "answer_spread",
                    f"answer letters are unevenly spread ({spread}; chi-square {statistic:.2f}, "
                    f"9 degrees of freedom, p = {p_value:.4f}); `rebalance_letters` or "
                    "“Even out answer letters” proposes re-letterings",
                )
            )
        if len(self._longest) > LONGEST_RATIO * self.items / len(LETTERS):
            report.warnings.append(
                Problem(
                    "longest_key",
                    f"the key is the longest option in {len(self._longest)} of {self.items} "
                    f"items ({100 * len(self._longest) / self.items:.1f}%; chance is 10%)",
                    self._longest,
                )
            )
        if self._shortcut:
            report.warnings.append(
                Problem(
                    "shortcut",
                    f"{len(self._shortcut)} item(s) flagged answerable without the video",
                    self._shortcut,
                )
            )
        if self._near:
            pairs = "; ".join(
                f"{a} and {b} ({similarity:.0%})" for a, b, similarity in self._near[:20]
            )
            report.warnings.append(
                Problem(
                    "near_duplicates",
                    f"{len(self._near)} pair(s) of near-duplicate questions in the same video: "
                    + pairs
                    + (" …" if len(self._near) > 20 else ""),
                    sorted({uid for a, b, _ in self._near for uid in (a, b)}),
                )
            )
        if self._few:
            report.warnings.append(
                Problem(
                    "reviews",
                    f"{len(self._few)} item(s) with fewer than {self.required_accepts} expert "
                    "accept(s), including any accepted on import without review",
                    self._few,
                )
            )
        return report


def run_gate(candidates: list[dict[str, Any]], *, required_accepts: int) -> GateReport:
    """Check a list of items: each {"uid", "item", "spans", "flags", "accepts"}."""
    gate = Gate(required_accepts=required_accepts)
    for candidate in candidates:
        gate.add(**candidate)
    return gate.report()


def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """A question's word 3-grams, times left out (two questions about different moments of
    the same step are still near-duplicates)."""
    words = _WORDS.findall(_TIMES.sub(" ", text.lower()))
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def _plainly_distinct(options: dict[str, str]) -> bool:
    """A quick pass for the usual case: ten different texts, none blank, none differing from
    another only in case or spacing (then `option_faults` names the culprits)."""
    texts = options.values()
    # Printable means no whitespace but the plain space; with no space doubled or at either
    # end, the spacing is already normal and comparing case-folded texts is enough.
    if "".join(texts).isprintable():
        joined = "\x00".join(texts)
        if not any(odd in joined for odd in ("  ", "\x00 ", " \x00")) and not (
            joined.startswith(" ") or joined.endswith(" ")
        ):
            keys = set(joined.casefold().split("\x00"))
            return len(keys) == len(options) and "" not in keys
    keys = {" ".join(text.split()).casefold() for text in texts}
    return len(keys) == len(options) and "" not in keys


def _key_is_longest(options: dict[str, str], answer: str) -> bool:
    if answer not in options:
        return False
    lengths = sorted(map(len, options.values()))
    return len(options[answer]) == lengths[-1] and (len(lengths) == 1 or lengths[-2] < lengths[-1])


class GateCrashed(RuntimeError):
    """The gate's process failed; the message carries its traceback."""


class GateProcess:
    """The same gate, run in a forked child process so a large freeze uses a second core:
    the freeze sends each item's export line (which holds everything the gate reads) with
    its spans, flags and accepts, in batches through a pipe, and gets the report back. A
    full pipe makes the sender wait, so memory stays flat."""

    BATCH = 500

    def __init__(self, *, required_accepts: int) -> None:
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, required_accepts), name="release-gate", daemon=True
        )
        self._process.start()
        child.close()
        self._lines: list[bytes] = []
        self._facts: list[tuple[list[Any], list[Any], int]] = []

    def add_line(
        self, *, line: bytes, spans: list[Any], flags: list[dict[str, Any]], accepts: int
    ) -> None:
        self._lines.append(line)
        self._facts.append((spans, flags, accepts))
        if len(self._lines) >= self.BATCH:
            self._send_batch()

    def _send_batch(self) -> None:
        """One message of plain bytes per batch, not a pickle: the facts as one JSON line,
        then the items' lines as they are (an export line never holds a newline)."""
        self._send_bytes(b"\n".join([orjson.dumps(self._facts), *self._lines]))
        self._lines, self._facts = [], []

    def report(self) -> GateReport:
        if self._lines:
            self._send_batch()
        self._send_bytes(b"")
        outcome = self._outcome()
        self._process.join()
        if isinstance(outcome, str):
            raise GateCrashed(outcome)
        assert isinstance(outcome, GateReport)
        return outcome

    def _send_bytes(self, message: bytes) -> None:
        """Send to the child; a child that already failed has closed its end, so the pipe
        breaks: raise the failure the child sent before it went."""
        try:
            self._conn.send_bytes(message)
        except (BrokenPipeError, ConnectionResetError):
            outcome = self._outcome()
            raise GateCrashed(
                outcome if isinstance(outcome, str) else "the gate process stopped reading"
            ) from None

    def _outcome(self) -> GateReport | str:
        """The child's last message: its report or the traceback of its failure."""
        try:
            outcome: GateReport | str = self._conn.recv()
        except (EOFError, ConnectionResetError):
            self._process.join(timeout=5)
            return f"the gate process ended without a report (exit code {self._process.exitcode})"
        return outcome

    def close(self) -> None:
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()


def _serve(conn: Connection, required_accepts: int) -> None:
    """The child's loop: check each batch's items until told to report."""
    try:
        gate = Gate(required_accepts=required_accepts)
        while batch := conn.recv_bytes():
            facts, *lines = batch.split(b"\n")
            for line, (spans, flags, accepts) in zip(lines, orjson.loads(facts), strict=True):
                item = orjson.loads(line)
                gate.add(uid=item["uid"], item=item, spans=spans, flags=flags, accepts=accepts)
        conn.send(gate.report())
    except BaseException:  # reported to the parent, which raises it
        conn.send(traceback.format_exc())
    finally:
        conn.close()
