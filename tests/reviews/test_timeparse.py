"""Time expressions in question text and breakdowns, and the ratios that must not pass as times."""

from __future__ import annotations

import pytest

from reviews.timeparse import (
    TimeExpressionError,
    TimeRef,
    find_times,
    format_timestamp,
    parse_breakdown_entry,
    parse_timestamp,
)


def spans(text: str) -> list[tuple[float, float, str]]:
    refs = find_times(text)
    for ref in refs:
        # Offsets are what the UI uses to turn the citation into a link.
        assert text[ref.begin : ref.stop] == ref.text
    return [(ref.start, ref.end, ref.text) for ref in refs]


# --- Timestamp tokens ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "seconds"),
    [
        ("02:22", 142.0),
        ("2:22", 142.0),
        ("00:00", 0.0),
        ("59:59", 3599.0),
        ("1:02:03", 3723.0),
        ("01:02:03", 3723.0),
        ("02:22.5", 142.5),
        ("1:02:03.25", 3723.25),
        ("  06:15 ", 375.0),
    ],
)
def test_it_parses_timestamp_tokens(token: str, seconds: float) -> None:
    assert parse_timestamp(token) == seconds


@pytest.mark.parametrize(
    "token",
    [
        "",
        "junk",
        "02:75",
        "1:60:00",
        "3:2",
        "123:45",
        "12:345",
        "1:2:3",
        "02:22:",
        "02:22 x",
        "a02:22",
    ],
)
def test_it_rejects_junk_timestamp_tokens(token: str) -> None:
    with pytest.raises(TimeExpressionError):
        parse_timestamp(token)


def test_it_is_a_value_error_so_callers_can_catch_it_broadly() -> None:
    with pytest.raises(ValueError, match="not a timestamp"):
        parse_timestamp("later")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "00:00"),
        (5, "00:05"),
        (142, "02:22"),
        (142.9, "02:22"),
        (599.999, "09:59"),
        (3599, "59:59"),
        (3600, "1:00:00"),
        (3723, "1:02:03"),
        (36000, "10:00:00"),
    ],
)
def test_it_formats_timestamps_flooring_fractions(seconds: float, text: str) -> None:
    assert format_timestamp(seconds) == text


@pytest.mark.parametrize("seconds", [0, 1, 59, 60, 142, 599, 3599, 3600, 3723, 86399])
def test_it_round_trips_format_and_parse(seconds: int) -> None:
    assert parse_timestamp(format_timestamp(seconds)) == seconds


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf")])
def test_it_refuses_to_format_impossible_seconds(seconds: float) -> None:
    with pytest.raises(ValueError):
        format_timestamp(seconds)


# --- Points -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What happens at 02:05?", [(125.0, 125.0, "02:05")]),
        ("The flask is sealed 02:05 later", [(125.0, 125.0, "02:05")]),
        ("at 1:02:03 the lid closes", [(3723.0, 3723.0, "1:02:03")]),
        ("at 02:22.5 it drips", [(142.5, 142.5, "02:22.5")]),
        ("see the 02:30 mark", [(150.0, 150.0, "02:30")]),
        ("(02:30)", [(150.0, 150.0, "02:30")]),
        ("It ends at 02:30.", [(150.0, 150.0, "02:30")]),
        ("Use a 1:4 ratio. 02:30 shows the result", [(150.0, 150.0, "02:30")]),
    ],
)
def test_it_finds_strong_points(text: str, expected: list[tuple[float, float, str]]) -> None:
    assert spans(text) == expected


def test_it_marks_points_as_points() -> None:
    (ref,) = find_times("at 02:05")
    assert ref == TimeRef(125.0, 125.0, "02:05", 3, 8)
    assert ref.is_point


def test_it_keeps_two_points_joined_by_and_without_between() -> None:
    assert spans("02:05 and 03:10") == [(125.0, 125.0, "02:05"), (190.0, 190.0, "03:10")]


@pytest.mark.parametrize(
    "text",
    [
        "at 1:10",
        "At 1:10",
        "from 1:10 on",
        "until 1:10",
        "till 1:10",
        "through 1:10",
        "around 1:10",
        "approximately 1:10",
        "approx. 1:10",
        "approx 1:10",
        "about 1:10",
        "near 1:10",
        "after 1:10",
        "before 1:10",
        "since 1:10",
        "starting 1:10",
        "ending 1:10",
        "timestamp 1:10",
        "Time: 1:10",
        "~1:10",
        "~ 1:10",
        "@1:10",
        "@ 1:10",
        "(at 1:10)",
        "shown at [1:10]",
        "at the 1:10 mark",
    ],
)
def test_it_accepts_weak_tokens_after_a_time_cue(text: str) -> None:
    assert [(ref.start, ref.text) for ref in find_times(text)] == [(70.0, "1:10")]


@pytest.mark.parametrize(
    "text",
    ["1:10", "The stock is 1:10", "5:30 is shown", "and 1:10", "to 1:10", "the 1:10", "at1:10"],
)
def test_it_ignores_weak_tokens_without_a_time_cue(text: str) -> None:
    assert find_times(text) == []


def test_it_does_not_let_and_carry_a_time_cue_to_a_weak_token() -> None:
    # "and" only continues a range after "between"; on its own it is no time cue.
    assert [ref.text for ref in find_times("at 02:05 and 1:10")] == ["02:05"]


# --- Ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "separator",
    ["-", " - ", "–", " – ", "—", " — ", "~", " ~ ", " to ", " through ", " until ", " till "],
)
def test_it_merges_each_range_separator(separator: str) -> None:
    expression = f"02:22{separator}02:33"
    text = f"What happens {expression}?"
    assert spans(text) == [(142.0, 153.0, expression)]
    assert not find_times(text)[0].is_point


def test_it_merges_between_and_without_the_word_between() -> None:
    text = "What is the purpose of moving the sample between 02:22 and 02:33?"
    (ref,) = find_times(text)
    assert (ref.start, ref.end, ref.text) == (142.0, 153.0, "02:22 and 02:33")
    assert (ref.begin, ref.stop) == (text.index("02:22"), text.index("?"))


def test_it_merges_from_to_without_the_word_from() -> None:
    assert spans("from 02:22 to 02:33") == [(142.0, 153.0, "02:22 to 02:33")]


def test_it_merges_hour_ranges() -> None:
    assert spans("from 1:02:03 to 1:02:10") == [(3723.0, 3730.0, "1:02:03 to 1:02:10")]


def test_it_merges_en_dash_ranges_with_fractions() -> None:
    assert spans("06:15.5–06:36") == [(375.5, 396.0, "06:15.5–06:36")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("between 1:10 and 1:25", [(70.0, 85.0, "1:10 and 1:25")]),
        ("from 1:10 to 1:25", [(70.0, 85.0, "1:10 to 1:25")]),
        ("1:10-02:30", [(70.0, 150.0, "1:10-02:30")]),
        ("02:00 - 5:30", [(120.0, 330.0, "02:00 - 5:30")]),
        ("1:10-1:20", []),
        ("1:10 to 1:20", []),
    ],
)
def test_it_needs_one_anchor_for_weak_ranges(
    text: str, expected: list[tuple[float, float, str]]
) -> None:
    assert spans(text) == expected


def test_it_accepts_a_zero_length_range_as_point_like() -> None:
    (ref,) = find_times("02:22-02:22")
    assert ref.is_point
    assert ref.text == "02:22-02:22"


def test_it_finds_several_expressions_with_offsets() -> None:
    text = (
        "Between 02:22 and 02:33 the sample moves; at 02:05 it is weighed, "
        "then 06:15–06:36 shows a 1:10 dilution and from 1:02:03 to 1:02:10 — résumé ~1:05."
    )
    assert spans(text) == [
        (142.0, 153.0, "02:22 and 02:33"),
        (125.0, 125.0, "02:05"),
        (375.0, 396.0, "06:15–06:36"),
        (3723.0, 3730.0, "1:02:03 to 1:02:10"),
        (65.0, 65.0, "1:05"),
    ]
    begins = [ref.begin for ref in find_times(text)]
    assert begins == sorted(begins)


@pytest.mark.parametrize(
    "text",
    [
        "between 02:33 and 02:22",
        "02:33–02:22",
        "from 1:02:10 to 1:02:03",
        "at 1:25 - 1:10",
    ],
)
def test_it_raises_for_reversed_ranges(text: str) -> None:
    with pytest.raises(TimeExpressionError, match="ends before it starts"):
        find_times(text)


def test_it_names_the_reversed_range_in_the_message() -> None:
    with pytest.raises(TimeExpressionError) as caught:
        find_times("What happens in 02:33–02:22?")
    assert str(caught.value) == "time range 02:33–02:22 ends before it starts"


@pytest.mark.parametrize("text", ["02:30-02:75", "between 02:75 and 03:00", "at 1:10 to 1:75"])
def test_it_raises_for_out_of_range_seconds_inside_a_time_range(text: str) -> None:
    with pytest.raises(TimeExpressionError, match=r">= 60"):
        find_times(text)


# --- Ratios and other look-alikes ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "diluted 1:10",
        "at 1:10 dilution",
        "a 1:10 dilution",
        "3:2",
        "a 3:2 mixture",
        "a 50:50 mixture",
        "mixed at a 1:4 ratio",
        "1:10 to 1:100 dilution series",
        "diluted 1:10 and 1:20",
        "mixed 1:4",
        "1:1000 (v/v)",
    ],
)
def test_it_ignores_the_listed_ratio_examples(text: str) -> None:
    assert find_times(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # Strong tokens would be times without the cue, so each case tests its cue.
        "diluted 10:30",
        "dilute 10:30",
        "diluting 10:30",
        "the dilution 10:30",
        "dilutions 10:30",
        "ratio 10:30",
        "ratios 10:30",
        "proportion 10:30",
        "mix 10:30",
        "mixed 10:30",
        "mixing 10:30",
        "mixture 10:30",
        "v/v 10:30",
        "w/w 10:30",
        "molar 10:30",
        "mixed the 10:30",
        "Diluted (10:30)",
        "the ratio of 10:30",
        "a proportion of the 10:30",
        "a 10:30",
        "an 10:30",
        "A 02:30 ratio",
        "10:30 ratio",
        "10:30 ratios",
        "10:30 dilution",
        "10:30 mixture",
        "10:30 mix",
        "10:30 proportion",
        "10:30 v/v",
        "10:30 w/w",
        "10:30 (v/v)",
        "10:30 (w/w)",
        "10:30 molar",
        "10:30 by volume",
        "10:30 by weight",
        "at 1:10 (v/v)",
        "at 02:30 mixture",
    ],
)
def test_it_treats_ratio_context_as_not_a_time(text: str) -> None:
    assert find_times(text) == []


def test_it_still_finds_the_time_when_the_ratio_cue_is_elsewhere() -> None:
    assert spans("the mixture was stirred; at 10:30 it was poured") == [(630.0, 630.0, "10:30")]


@pytest.mark.parametrize(
    "text",
    [
        "10:10 to 10:50 dilution series",
        "diluted 10:10 to 10:50",
        "a 10:10-10:50 mixture",
        "between 10:10 and 10:50 (v/v)",
    ],
)
def test_it_keeps_both_ends_of_a_ratio_range_out(text: str) -> None:
    assert find_times(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "the ratios 50:50 and 30:20 were compared",
        "diluted 10:20, 10:40 or 10:50 before use",
        "mixed 10:20 & 10:40",
    ],
)
def test_it_keeps_lists_of_ratios_out(text: str) -> None:
    assert find_times(text) == []


def test_it_ends_a_ratio_list_at_other_words() -> None:
    assert spans("diluted 10:20, then at 10:40 poured") == [(640.0, 640.0, "10:40")]


@pytest.mark.parametrize(
    "text",
    [
        "123:45",
        "12:345",
        "1:234",
        "1:2:3",
        "01:02:03:04",
        "123:45:00",
        "1.02:30",
        "A02:30",
        "02:22.5.1",
        "\u0663" + "02:30",  # Arabic-Indic digit before
        "02:30" + "\u0663",  # and after
    ],
)
def test_it_never_matches_inside_longer_digit_chains(text: str) -> None:
    assert find_times(text) == []
    assert find_times(f"at {text} today") == []


@pytest.mark.parametrize("text", ["02:75", "at 02:75", "1:60:00", "at 1:5", "3:2"])
def test_it_ignores_impossible_or_single_digit_seconds(text: str) -> None:
    assert find_times(text) == []


@pytest.mark.parametrize("text", ["", "   ", "no times here", "ünïcödé ☃ 日本語", "02:", ":30"])
def test_it_handles_text_without_times(text: str) -> None:
    assert find_times(text) == []


def test_it_handles_unicode_around_times() -> None:
    text = "Étape ☃ — à 02:30 le mélange (日本語 between 03:00 and 03:10)"
    assert spans(text) == [(150.0, 150.0, "02:30"), (180.0, 190.0, "03:00 and 03:10")]


# --- Breakdown entries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "start", "end", "time_text", "note"),
    [
        ("02:14-02:16: 2 mmol GeO2 is added", 134.0, 136.0, "02:14-02:16", "2 mmol GeO2 is added"),
        ("03:05: the flask is sealed", 185.0, 185.0, "03:05", "the flask is sealed"),
        ("03:05 - note", 185.0, 185.0, "03:05", "note"),
        ("03:05 – note", 185.0, 185.0, "03:05", "note"),
        ("[03:05–03:10] note", 185.0, 190.0, "03:05–03:10", "note"),
        ("(03:05) note", 185.0, 185.0, "03:05", "note"),
        ("03:05–03:10 note", 185.0, 190.0, "03:05–03:10", "note"),
        ("03:05 to 03:10: note", 185.0, 190.0, "03:05 to 03:10", "note"),
        ("03:05 the flask is sealed", 185.0, 185.0, "03:05", "the flask is sealed"),
        ("1:02:03: heating stops", 3723.0, 3723.0, "1:02:03", "heating stops"),
        ("  - 03:05: bulleted  ", 185.0, 185.0, "03:05", "bulleted"),
        ("1:10: by position", 70.0, 70.0, "1:10", "by position"),
        ("03:05", 185.0, 185.0, "03:05", ""),
    ],
)
def test_it_splits_breakdown_entries_with_a_leading_time(
    entry: str, start: float, end: float, time_text: str, note: str
) -> None:
    ref, parsed_note = parse_breakdown_entry(entry)
    assert ref is not None
    assert (ref.start, ref.end, ref.text) == (start, end, time_text)
    assert entry[ref.begin : ref.stop] == ref.text
    assert parsed_note == note


def test_it_uses_a_time_anywhere_when_none_leads() -> None:
    entry = "  At 02:10 the lid is closed "
    ref, note = parse_breakdown_entry(entry)
    assert ref is not None
    assert (ref.start, ref.end, ref.text) == (130.0, 130.0, "02:10")
    assert entry[ref.begin : ref.stop] == "02:10"
    assert note == "At 02:10 the lid is closed"


def test_it_uses_the_first_range_anywhere_when_none_leads() -> None:
    ref, note = parse_breakdown_entry("Stirring between 02:10 and 02:40, then at 03:00 cooling")
    assert ref is not None
    assert (ref.start, ref.end) == (130.0, 160.0)
    assert note.startswith("Stirring")


@pytest.mark.parametrize(
    "entry",
    ["the flask is sealed", "", "   ", "1:10 dilution of the stock", "a 50:50 mixture forms"],
)
def test_it_returns_no_span_for_breakdown_entries_without_a_time(entry: str) -> None:
    assert parse_breakdown_entry(entry) == (None, entry.strip())


@pytest.mark.parametrize(
    "entry", ["03:10-03:05: reversed", "[03:10–03:05] reversed", "the lid 03:10-03:05"]
)
def test_it_raises_for_reversed_breakdown_ranges(entry: str) -> None:
    with pytest.raises(TimeExpressionError, match="ends before it starts"):
        parse_breakdown_entry(entry)


def test_it_raises_for_a_leading_breakdown_time_with_impossible_seconds() -> None:
    with pytest.raises(TimeExpressionError, match="02:75"):
        parse_breakdown_entry("02:75: the flask is sealed")


def test_it_renders_breakdown_spans_back_to_the_same_entry() -> None:
    entry = "02:14-02:16: 2 mmol GeO2 is added"
    ref, note = parse_breakdown_entry(entry)
    assert ref is not None
    rendered = f"{format_timestamp(ref.start)}-{format_timestamp(ref.end)}: {note}"
    assert rendered == entry
