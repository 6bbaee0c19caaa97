"""Transcript parsing: WebVTT, SRT and JSON features, detection, and errors naming the line."""

from __future__ import annotations

import json

import pytest

from videos.transcripts import (
    Cue,
    TranscriptError,
    cues_to_vtt,
    detect_format,
    parse_transcript,
)

# --- WebVTT --------------------------------------------------------------------------------------

VTT = """WEBVTT - Gold nanoparticles
Kind: captions

NOTE This note spans
two lines and is not a cue.

STYLE
::cue { color: yellow; }

REGION
id:left width:40%

intro
00:00:01.000 --> 00:00:04.500 align:start position:10%
<v Dr. Smith>Welcome to the lab.</v>

00:04.500 --> 00:07.250
The <c.highlight>citrate</c> solution is
<i>heated</i> to 100 &deg;C &amp; stirred.

3
01:02:03.004 --> 01:02:05.000
Ratio &lt;1:10&gt;&nbsp;by volume

00:00:08.000 --> 00:00:09.000
<b></b>
"""


def test_it_parses_webvtt_with_every_feature() -> None:
    cues = parse_transcript(VTT, "vtt")

    assert cues == [
        Cue(1.0, 4.5, "Welcome to the lab."),
        Cue(4.5, 7.25, "The citrate solution is heated to 100 °C & stirred."),
        Cue(3723.004, 3725.0, "Ratio <1:10> by volume"),
    ]


def test_it_skips_empty_webvtt_cues_and_sorts_by_start() -> None:
    content = (
        "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nSecond\n\n"
        "00:00:01.000 --> 00:00:02.000\n\n"
        "00:00:00.000 --> 00:00:01.000\nFirst\n"
    )

    assert parse_transcript(content, "vtt") == [Cue(0.0, 1.0, "First"), Cue(5.0, 6.0, "Second")]


def test_it_tolerates_bom_crlf_and_a_missing_blank_line_after_the_header() -> None:
    content = "\ufeffWEBVTT\r\n00:00:01.000 --> 00:00:02.000\r\nHello\r\n\r\n"

    assert parse_transcript(content, "vtt") == [Cue(1.0, 2.0, "Hello")]


def test_it_keeps_escaped_tags_as_text() -> None:
    content = "WEBVTT\n\n00:01.000 --> 00:02.000\nwrite &lt;b&gt; for bold\n"

    assert parse_transcript(content, "vtt") == [Cue(1.0, 2.0, "write <b> for bold")]


def test_it_requires_the_webvtt_header() -> None:
    with pytest.raises(TranscriptError, match=r"^line 1: .*WEBVTT"):
        parse_transcript("00:00:01.000 --> 00:00:02.000\nHi\n", "vtt")


def test_it_names_the_line_of_a_malformed_webvtt_timing() -> None:
    content = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFine\n\n"
        "cue-2\n00:00:03.000 --> 00:0x:04.000\nBad\n"
    )

    with pytest.raises(TranscriptError, match=r"^line 7: malformed timing line"):
        parse_transcript(content, "vtt")


def test_it_names_the_line_of_a_webvtt_block_without_timing() -> None:
    content = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFine\n\n00:00:03.000 - 00:00:04.000\nBad\n"

    with pytest.raises(TranscriptError, match=r"^line 6: expected a cue timing line"):
        parse_transcript(content, "vtt")


def test_it_rejects_a_webvtt_cue_that_ends_before_it_starts() -> None:
    content = "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\nBackwards\n"

    with pytest.raises(TranscriptError, match=r"^line 3: the cue ends .* before it starts"):
        parse_transcript(content, "vtt")


def test_it_rejects_negative_webvtt_times() -> None:
    content = "WEBVTT\n\n-00:00:01.000 --> 00:00:04.000\nEarly\n"

    with pytest.raises(TranscriptError, match=r"^line 3: times cannot be negative"):
        parse_transcript(content, "vtt")


def test_it_rejects_minutes_out_of_range() -> None:
    content = "WEBVTT\n\n00:61:00.000 --> 01:02:00.000\nOdd\n"

    with pytest.raises(TranscriptError, match=r"^line 3: malformed"):
        parse_transcript(content, "vtt")


# --- SRT -----------------------------------------------------------------------------------------

SRT = (
    "\ufeff1\r\n00:00:01,000 --> 00:00:04,000\r\n<i>First</i> line\r\nsecond line\r\n\r\n"
    '2\r\n00:00:04,000 --> 00:00:06,500 X1:100 X2:600 Y1:10 Y2:50\r\n{\\an8}<font color="red">'
    "Top</font>\r\n\r\n"
    "3\r\n00:00:07,000 --> 00:00:08,000\r\n\r\n"
    "4\r\n01:00:00,250 --> 01:00:01,000\r\nLast\r\n"
)


def test_it_parses_srt_with_bom_crlf_tags_and_positions() -> None:
    cues = parse_transcript(SRT, "srt")

    assert cues == [
        Cue(1.0, 4.0, "First line second line"),
        Cue(4.0, 6.5, "Top"),
        Cue(3600.25, 3601.0, "Last"),
    ]


def test_it_keeps_srt_text_after_a_blank_line_inside_a_cue() -> None:
    content = (
        "1\n00:00:01,000 --> 00:00:02,000\nPart one\n\npart two\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nNext\n"
    )

    assert parse_transcript(content, "srt") == [
        Cue(1.0, 2.0, "Part one part two"),
        Cue(3.0, 4.0, "Next"),
    ]


def test_it_names_the_line_of_a_malformed_srt_timing() -> None:
    content = "1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:03 --> 00:00:xx,000\nBad\n"

    with pytest.raises(TranscriptError, match=r"^line 6: malformed timing line"):
        parse_transcript(content, "srt")


def test_it_names_the_line_after_an_srt_number_without_timing() -> None:
    content = "1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:03,000 -> 00:00:04,000\nBad\n"

    with pytest.raises(TranscriptError, match=r"^line 6: expected a timing line .* cue number 2"):
        parse_transcript(content, "srt")


def test_it_rejects_srt_that_does_not_start_with_a_cue() -> None:
    with pytest.raises(TranscriptError, match=r"^line 2: expected a cue number"):
        parse_transcript("\nHello there\n", "srt")


def test_it_rejects_an_srt_cue_that_ends_before_it_starts() -> None:
    content = "1\n00:00:01,000 --> 00:00:02,000\nFine\n\n2\n00:00:09,000 --> 00:00:04,000\nBad\n"

    with pytest.raises(TranscriptError, match=r"^line 6: the cue ends"):
        parse_transcript(content, "srt")


def test_it_rejects_negative_srt_times() -> None:
    content = "1\n-00:00:01,000 --> 00:00:02,000\nEarly\n"

    with pytest.raises(TranscriptError, match=r"^line 2: times cannot be negative"):
        parse_transcript(content, "srt")


# --- JSON ----------------------------------------------------------------------------------------


def test_it_parses_a_json_list_with_numbers_and_strings() -> None:
    content = json.dumps(
        [
            {"start": "00:05.5", "end": "00:07", "text": "Second", "speaker": "A"},
            {"start": 0, "end": 2.25, "text": "  First &amp; <b>foremost</b> "},
            {"start": "1:02:03.004", "end": "1:02:04", "text": "Late"},
            {"start": 3, "end": 4, "text": ""},
            {"start": "8.5", "end": "9", "text": "Plain seconds in a string"},
        ]
    )

    assert parse_transcript(content, "json") == [
        Cue(0.0, 2.25, "First & foremost"),
        Cue(5.5, 7.0, "Second"),
        Cue(8.5, 9.0, "Plain seconds in a string"),
        Cue(3723.004, 3724.0, "Late"),
    ]


def test_it_parses_whisper_segments_and_ignores_extra_keys() -> None:
    content = json.dumps(
        {
            "text": "Hello. World.",
            "language": "en",
            "segments": [
                {"id": 0, "seek": 0, "start": 0.0, "end": 1.52, "text": " Hello.", "tokens": [1]},
                {
                    "id": 1,
                    "seek": 0,
                    "start": 1.52,
                    "end": 3.0,
                    "text": " World.",
                    "avg_logprob": -1,
                },
            ],
        }
    )

    assert parse_transcript(content, "json") == [Cue(0.0, 1.52, "Hello."), Cue(1.52, 3.0, "World.")]


def test_it_names_the_json_item_with_a_missing_key() -> None:
    content = json.dumps(
        {"segments": [{"start": 0, "end": 1, "text": "ok"}, {"start": 1, "end": 2}]}
    )

    with pytest.raises(TranscriptError, match=r"^item 2 \(segments\[1\]\): missing 'text'"):
        parse_transcript(content, "json")


def test_it_names_the_json_item_that_ends_before_it_starts() -> None:
    content = json.dumps([{"start": 5, "end": 4, "text": "Backwards"}])

    with pytest.raises(TranscriptError, match=r"^item 1 \(\[0\]\): the cue ends \(4 s\)"):
        parse_transcript(content, "json")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"start": -1, "end": 4, "text": "x"}, r"'start' cannot be negative"),
        ({"start": "-00:01", "end": 4, "text": "x"}, r"'start' cannot be negative"),
        ({"start": 0, "end": "soon", "text": "x"}, r"'end' must be seconds or 'MM:SS.mmm'"),
        ({"start": True, "end": 4, "text": "x"}, r"'start' must be seconds"),
        ({"start": 0, "end": 4, "text": None}, r"'text' must be a string"),
        ("just text", r"expected an object"),
    ],
)
def test_it_names_the_json_item_with_a_bad_value(item: object, message: str) -> None:
    content = json.dumps([{"start": 0, "end": 1, "text": "fine"}, item])

    with pytest.raises(TranscriptError, match=rf"^item 2 \(\[1\]\): {message}"):
        parse_transcript(content, "json")


def test_it_rejects_json_that_is_not_a_list_of_cues() -> None:
    with pytest.raises(TranscriptError, match=r"^line 1: expected a list"):
        parse_transcript('{"cues": 3}', "json")


def test_it_names_the_line_of_invalid_json() -> None:
    with pytest.raises(TranscriptError, match=r"^line 3: not valid JSON"):
        parse_transcript('[\n{"start": 0, "end": 1, "text": "a"},\n{"start": 1,, }\n]', "json")


def test_it_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown transcript format"):
        parse_transcript("", "ass")


# --- Detection and writing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("talk.VTT", "anything", "vtt"),
        ("talk.srt", "WEBVTT\n", "srt"),  # the extension wins
        ("talk.json", "[]", "json"),
        ("talk.txt", "\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\nHi\n", "vtt"),
        ("talk", "1\n00:00:01,000 --> 00:00:02,000\nHi\n", "srt"),
        ("talk", "\n\n00:00:01,000 --> 00:00:02,000\nHi\n", "srt"),
        ("talk.txt", '  {"segments": []}', "json"),
        ("talk.txt", '[{"start": 0, "end": 1, "text": "Hi"}]', "json"),
    ],
)
def test_it_detects_the_format(filename: str, content: str, expected: str) -> None:
    assert detect_format(filename, content) == expected


def test_it_refuses_to_guess_an_unknown_format() -> None:
    with pytest.raises(TranscriptError, match=r"^line 1: cannot tell the transcript format"):
        detect_format("notes.txt", "Just some notes about the experiment.")


def test_it_writes_webvtt_that_parses_back_to_the_same_cues() -> None:
    cues = [
        Cue(3723.004, 3725.0, "Late"),
        Cue(0.0, 1.5, "Ratio <1:10> & more --> arrows"),
        Cue(1.5, 2.0, "two\nlines"),
    ]

    vtt = cues_to_vtt(cues)

    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\n")
    assert "01:02:03.004 --> 01:02:05.000\nLate\n" in vtt
    assert parse_transcript(vtt, "vtt") == [
        Cue(0.0, 1.5, "Ratio <1:10> & more --> arrows"),
        Cue(1.5, 2.0, "two lines"),
        Cue(3723.004, 3725.0, "Late"),
    ]


@pytest.mark.parametrize("fmt", ["vtt", "json"])
def test_an_over_long_cue_is_refused_with_its_number(fmt: str) -> None:
    text = "x" * 5001
    content = (
        f"WEBVTT\n\n00:01.000 --> 00:02.000\nShort.\n\n00:03.000 --> 00:04.000\n{text}\n"
        if fmt == "vtt"
        else json.dumps(
            [{"start": 1, "end": 2, "text": "Short."}, {"start": 3, "end": 4, "text": text}]
        )
    )
    with pytest.raises(TranscriptError, match=r"cue 2 \(at 3\.0s\) is 5,001 characters long"):
        parse_transcript(content, fmt)
