"""The dataset card's summary of the previous version's item analysis: written at the freeze
of the next version, from the answers and model runs over the previous one at that moment."""

from __future__ import annotations

from typing import Any

from baselines.item_analysis import FLAGS
from baselines.models import Answer, ModelRun
from baselines.selectors import split_item_analysis
from releases.models import Release


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def _row(split: str, summary: dict[str, Any]) -> str:
    respondents = summary["respondents"]
    kr20 = summary["kr20"]
    bias = summary["key_length"]
    key_length = (
        f"{bias['key_longest']} of {bias['items']} (chance {bias['expected']:g})"
        if bias["items"]
        else "–"
    )
    cells = [
        f"`{split}`",
        str(respondents["humans"]),
        str(respondents["models"]),
        _number(kr20["humans"]),
        _number(kr20["models"]),
        *(str(summary["flags"][name]) for name in FLAGS),
        key_length,
    ]
    return "| " + " | ".join(cells) + " |"


def _answered(release: Release, split: str) -> bool:
    return (
        Answer.objects.filter(
            participation__study__release=release,
            participation__study__split=split,
            answered_at__isnull=False,
        ).exists()
        or ModelRun.objects.filter(release=release, split=split).exists()
    )


def previous_analysis_section(previous: Release) -> str:
    """The "Item analysis of the previous version" section for the card of the release frozen
    after `previous`: per split with answers or model runs, the respondents, KR-20 of humans
    and of models, the number of items carrying each flag, and the key-length bias; "" when
    no split of `previous` has any."""
    rows = [
        _row(split, split_item_analysis(previous, split)["split"])
        for split in sorted(previous.splits)
        if _answered(previous, split)
    ]
    if not rows:
        return ""
    flags = [name.replace("_", " ") for name in FLAGS]
    header = ["split", "humans", "models", "KR-20 humans", "KR-20 models", *flags]
    header.append("key is the longest option")
    return "\n".join(
        [
            "## Item analysis of the previous version",
            "",
            f"From every human answer and model run over {previous.name} {previous.version} "
            "when this version was frozen. Humans are evaluators of its blind studies, models "
            "its model runs; KR-20 is over the respondents who answered every item of the "
            "split (– with too few of them); each flag column counts the items carrying that "
            "flag; the last column is how often the key is among the longest options, with "
            "the count expected by chance.",
            "",
            "| " + " | ".join(header) + " |",
            "|" + "---|" * len(header),
            *rows,
        ]
    )
