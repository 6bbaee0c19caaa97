"""What an evaluator is shown of an item's evidence: the times of its breakdown, never a note."""

from __future__ import annotations

from typing import Any

import pytest

from baselines.services import EvidenceTimes, evidence_times


def test_it_takes_the_times_of_each_breakdown_entry_and_drops_the_notes() -> None:
    line = {"timestamp_breakdown": ["02:22-02:33: the key is D", "03:05: the flask is sealed"]}
    shown = evidence_times(line)
    assert shown == (EvidenceTimes(142.0, 153.0), EvidenceTimes(185.0, 185.0))
    assert "key" not in repr(shown) and "sealed" not in repr(shown)


@pytest.mark.parametrize(
    "breakdown",
    [None, [], "02:22-02:33: not a list", ["no time here"], [42], ["02:33-02:22: reversed"]],
)
def test_it_leaves_out_what_has_no_readable_time(breakdown: Any) -> None:
    assert evidence_times({"timestamp_breakdown": breakdown}) == ()
