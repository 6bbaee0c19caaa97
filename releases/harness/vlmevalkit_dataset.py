"""A VLMEvalKit video dataset for a release (shipped as `vlmevalkit/sciannot_video.py`).

Register it by importing this file and adding the class to VLMEvalKit's video datasets, as
the release's dataset card shows. Its table is `../data/<split>.tsv`, read so that an option
whose text is "None" or "NA" stays text; its videos are `jove_<video_id>.mp4` (or `.MP4`,
`.mkv`) in `SCIANNOT_VIDEO_DIR`, by default `../videos`. Replies are read by
`reply_reader.py` beside this file, the same bytes the leaderboard reads them with
(VLMEvalKit's own fallback only knows the letters A–D).

Standard library only, and nothing from sciannot (an import-linter contract there checks
it): it ships verbatim inside exports, so it keeps its own copy of the letters A–J.
"""

from __future__ import annotations

import importlib.util
import json
import numbers
import os
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LETTERS = "ABCDEFGHIJ"
VIDEO_SUFFIXES = (".mp4", ".MP4", ".mkv")
TYPES = ("Conceptual Reasoning", "Hypothetical Reasoning", "Quantitative Reasoning")
CATEGORIES = ("Biology", "Chemistry", "Medicine", "Physics")
POST_PROMPT = "Answer with the option's letter from the given choices directly."

try:
    from vlmeval.dataset.video_base import VideoBaseDataset  # type: ignore[import-not-found]
except ImportError:  # VLMEvalKit not installed: the helpers below still work on their own.

    class VideoBaseDataset:  # type: ignore[no-redef]
        MODALITY = "VIDEO"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise ImportError("VLMEvalKit is not installed (pip install vlmeval)")


def _load_reader() -> ModuleType:
    path = Path(__file__).resolve().with_name("reply_reader.py")
    spec = importlib.util.spec_from_file_location("sciannot_reply_reader", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the reply reader {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reader = _load_reader()
read_letter: Callable[[str, Mapping[str, str]], str | None] = reader.read_letter


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))
    return loaded


def release_key() -> str:
    """What seeds the official rule's guesses: the key the leaderboard uses."""
    facts = manifest()
    key: str = reader.release_key(facts["name"], facts["version"])
    return key


def load_table(path: str | Path) -> Any:
    """The split's TSV as text, every cell kept as written ("None" and "NA" included)."""
    import pandas as pd  # type: ignore[import-untyped]

    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_filter=False)


def options_of(row: Mapping[str, Any]) -> dict[str, str]:
    return {letter: str(row[letter]) for letter in LETTERS}


def question_text(row: Mapping[str, Any]) -> str:
    lines = [str(row["question"]), *[f"{k}. {v}" for k, v in options_of(row).items()]]
    return "\n".join([*lines, POST_PROMPT])


def video_path(video: str) -> str:
    """The file of a row's `video` (jove_<video_id>); missing, it stops with its name."""
    folder = Path(os.environ.get("SCIANNOT_VIDEO_DIR") or ROOT / "videos")
    for suffix in VIDEO_SUFFIXES:
        path = folder / f"{video}{suffix}"
        if path.is_file():
            return str(path)
    raise FileNotFoundError(
        f"Video not found: {folder / (video + '.mp4')} (also tried .MP4 and .mkv; "
        "set SCIANNOT_VIDEO_DIR to the folder of the videos)"
    )


def score_row(row: Mapping[str, Any], key: str) -> dict[str, Any]:
    reply = "" if row.get("prediction") is None else str(row["prediction"])
    options = options_of(row)
    official, guessed = reader.official_answer(reply, release=key, uid=str(row["uid"]))
    return {
        "question_type": row["l2-category"],
        "category": row["category"],
        "answer": row["answer"],
        "careful": read_letter(reply, options),
        "official": official,
        "guessed": guessed,
    }


def percent(correct: int, total: int) -> float | None:
    if not total:
        return None
    exact = Decimal(correct * 100) / Decimal(total)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def accuracy_table(rows: Iterable[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    """One line per rule and group (overall, each type, each category): correct, total and
    accuracy in percent, as the leaderboard counts them."""
    scored = [score_row(row, key) for row in rows]
    groups = [("overall", "overall", scored)]
    groups += [("type", name, [s for s in scored if s["question_type"] == name]) for name in TYPES]
    groups += [
        ("category", name, [s for s in scored if s["category"] == name]) for name in CATEGORIES
    ]
    table = []
    for rule in ("careful", "official"):
        for kind, name, chosen in groups:
            correct = sum(s[rule] == s["answer"] for s in chosen)
            table.append(
                {
                    "rule": rule,
                    "group": kind,
                    "name": name,
                    "correct": correct,
                    "total": len(chosen),
                    "acc": percent(correct, len(chosen)),
                    "unreadable": sum(s["careful"] is None for s in chosen)
                    if rule == "careful"
                    else sum(s["guessed"] for s in chosen),
                }
            )
    return table


class SciannotVideoMCQ(VideoBaseDataset):
    """Ten-option (A–J) multiple-choice questions about videos, one row per item."""

    TYPE = "Video-MCQ"
    SPLIT = "test"

    @classmethod
    def supported_datasets(cls) -> list[str]:
        return [dataset_name()]

    def __init__(self, dataset: str = "", pack: bool = False, nframe: int = 0, fps: float = -1):
        super().__init__(dataset=dataset or dataset_name(), pack=pack, nframe=nframe, fps=fps)
        # VLMEvalKit's loader turns "None" and "NA" options into NaN; read them as text. Its
        # inference keys replies by `index` and looks rows up by position, so `index` stays
        # an integer as its own loader would make it.
        data = load_table(self.data_file)
        data["index"] = data["index"].astype(int)
        self.data = data

    def prepare_dataset(self, dataset: str) -> dict[str, str]:
        video_root = os.environ.get("SCIANNOT_VIDEO_DIR") or str(ROOT / "videos")
        return {"root": video_root, "data_file": str(ROOT / "data" / f"{self.SPLIT}.tsv")}

    def build_prompt(self, line: Any, video_llm: bool = True) -> list[dict[str, str]]:
        # VLMEvalKit passes a row position (a Python or NumPy integer) or the row itself.
        if isinstance(line, numbers.Integral):
            line = self.data.iloc[int(line)]
        message: list[dict[str, str]] = []
        if video_llm:
            message.append({"type": "video", "value": video_path(str(line["video"]))})
        else:
            video_path(str(line["video"]))  # a missing video stops here, by name
            message += [
                {"type": "image", "value": p} for p in self.save_video_frames(line["video"])
            ]
        message.append({"type": "text", "value": question_text(line)})
        return message

    def evaluate(self, eval_file: str, **judge_kwargs: Any) -> Any:
        import pandas as pd

        if str(eval_file).endswith(".xlsx"):
            data = pd.read_excel(eval_file, dtype=str, keep_default_na=False, na_filter=False)
        else:
            data = load_table(eval_file)
        return pd.DataFrame(accuracy_table(data.to_dict("records"), release_key()))


def dataset_name() -> str:
    facts = manifest()
    return f"{facts['name']}_{facts['version']}".replace(".", "_")
