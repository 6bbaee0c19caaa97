"""Run inside VLMEvalKit's environment by `run_vlmevalkit.py`: load the release archive's
`vlmevalkit/sciannot_video.py` on VLMEvalKit's real `VideoBaseDataset`, build every prompt,
write the given replies with VLMEvalKit's own `dump` (as its inference writes them) and score
them with the dataset's `evaluate`. Prints one JSON object.

Usage: python vlmevalkit_driver.py ARCHIVE_DIR VIDEOS_DIR REPLIES_JSON WORK_DIR
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import types
from pathlib import Path
from typing import Any

LETTERS = "ABCDEFGHIJ"


def load_base_class() -> type:
    """VLMEvalKit's `VideoBaseDataset`. Importing `vlmeval` or `vlmeval.dataset` loads every
    model and dataset it knows, and some need a CUDA build of torchvision; a CPU-only
    environment then loads just the two packages' folders, so `video_base` and what it
    imports (`vlmeval.smp`, `image_base`) are VLMEvalKit's real code."""
    try:
        from vlmeval.dataset.video_base import VideoBaseDataset

        return VideoBaseDataset
    except (ImportError, RuntimeError) as exc:
        print(f"note: full vlmeval.dataset import failed ({exc}); loading video_base alone",
              file=sys.stderr)  # fmt: skip
    for name in [m for m in sys.modules if m == "vlmeval" or m.startswith("vlmeval.")]:
        del sys.modules[name]
    spec = importlib.util.find_spec("vlmeval")
    assert spec is not None and spec.submodule_search_locations is not None
    root = Path(next(iter(spec.submodule_search_locations)))
    for name, path in (("vlmeval", root), ("vlmeval.dataset", root / "dataset")):
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package
    from vlmeval.dataset.video_base import VideoBaseDataset

    return VideoBaseDataset


def main(argv: list[str]) -> int:
    archive, videos, replies_file, work = (Path(arg).resolve() for arg in argv[1:5])
    (work / "LMUData").mkdir(parents=True, exist_ok=True)
    # VLMEvalKit reads this mixed-case name for its data root.
    os.environ["LMUData"] = str(work / "LMUData")  # noqa: SIM112
    os.environ["SCIANNOT_VIDEO_DIR"] = str(videos)
    base = load_base_class()
    path = archive / "vlmevalkit" / "sciannot_video.py"
    spec = importlib.util.spec_from_file_location("sciannot_video", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # The exported module falls back to a stub when VLMEvalKit is missing; it must not here.
    if module.VideoBaseDataset is not base:
        raise SystemExit("the exported dataset did not subclass VLMEvalKit's VideoBaseDataset")

    dataset = module.SciannotVideoMCQ()
    problems: list[str] = []
    data = dataset.data
    import numpy as np

    for position in range(len(data)):
        row = data.iloc[position]
        # VLMEvalKit's video inference passes the row position, a Python or NumPy integer.
        for line in (position, np.int64(position), row):
            message = dataset.build_prompt(line, video_llm=True)
            kinds = [part["type"] for part in message]
            text = message[-1]["value"]
            if kinds != ["video", "text"] or not Path(message[0]["value"]).is_file():
                problems.append(f"row {position}: message parts {kinds}")
            expected = [f"\n{letter}. {row[letter]}" for letter in LETTERS]
            if not text.startswith(str(row["question"])) or not all(e in text for e in expected):
                problems.append(f"row {position}: the prompt lacks the question or an option")
    replies: dict[str, str] = json.loads(replies_file.read_text(encoding="utf-8"))
    from vlmeval.smp import dump

    predictions = data.copy()
    predictions["prediction"] = [replies.get(uid, "") for uid in predictions["uid"]]
    eval_file = work / f"scripted_{dataset.dataset_name}.xlsx"
    dump(predictions, str(eval_file))
    table = dataset.evaluate(str(eval_file))
    result: dict[str, Any] = {
        "dataset": dataset.dataset_name,
        "base": f"{base.__module__}.{base.__qualname__}",
        "rows": len(data),
        "problems": problems,
        "table": table.to_dict("records"),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
