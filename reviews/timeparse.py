"""Find video time references (MM:SS, H:MM:SS, ranges) in question text and breakdowns,
telling them apart from look-alike ratios such as "diluted 1:10" or "a 50:50 mixture".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

__all__ = [
    "TimeExpressionError",
    "TimeRef",
    "find_times",
    "format_timestamp",
    "parse_breakdown_entry",
    "parse_timestamp",
]

# How a time is recognised. Scientific text is full of colon-separated ratios, so a
# colon-number is only a time when its shape and its neighbours both say so:
#
# 1. Token shape: M:SS / MM:SS or H:MM:SS (minutes then two digits), optional ".d" fraction,
#    seconds (and minutes under hours) below 60. The whole run of digits and colons is read
#    as one chain, so "123:45", "1:234" and "1:2:3" are rejected whole; matching a piece of
#    them ("23:45", "2:3") would invent a time the author never wrote. A letter or digit
#    directly before the chain also rejects it: "A02:30" reads as a label, not a moment.
# 2. Single-digit seconds ("3:2", "1:5") are never times: nobody writes 3:02 as "3:2".
# 3. Ratio context always wins: a ratio cue as the previous word (one "the" skipped; "of"
#    after ratio/proportion/mixture/dilution also counts), an "a"/"an" right before the token
#    (people say "at 02:30", never "a 02:30"), or a ratio cue as the next word.
#    A token listed after a ratio with ",", "and", "or", "&" is a ratio too ("the ratios
#    50:50 and 70:30"), because a list keeps one kind of item.
# 4. Strong tokens (two-digit minutes, or hours) are times unless in ratio context: LLM
#    drafts zero-pad their timestamps, while ratios are rarely written as "02:30".
# 5. Weak tokens ("1:10") are ratios far more often than times, so they need a time cue
#    before them (at, from, between, ~, @, ...; "the" may sit in between: "at the 1:10
#    mark") or a range partner that is a strong time ("1:10-02:30").
# 6. Ranges: T1 SEP T2 with a dash, "~", "to", "through", "until"/"till", or "and" after
#    "between". The pair is judged as one expression: ratio cues are read before T1 and
#    after T2 ("1:10 to 1:50 dilution series"). A time range whose endpoint has seconds or
#    minutes >= 60, or which ends before it starts, raises TimeExpressionError: dropping
#    it silently would cite the wrong evidence.
# 7. Anything goes as input; no time found simply yields [].


class TimeExpressionError(ValueError):
    """A time expression that is syntactically a time but invalid.

    For example a range ending before it starts, or seconds >= 60 inside an explicit range.
    """


@dataclass(frozen=True, slots=True)
class TimeRef:
    """One cited moment or span of a video, with where it was found in the source text."""

    start: float
    end: float
    text: str
    begin: int
    stop: int

    @property
    def is_point(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True, slots=True)
class _Token:
    begin: int
    stop: int
    value: float | None  # None: time-shaped but out of range, e.g. "02:75"
    strong: bool


_DASHES: Final = "-\u2010\u2011\u2012\u2013\u2014\u2212"

# Lookbehinds keep us from starting inside a longer number ("1.02:30", "1:2:3"). They are
# read after the first digit (hence the trailing "[0-9]" in each), so that the pattern starts
# with a digit and the regex engine skips to the digits of a text instead of trying every
# position.
_CHAIN_RE: Final = re.compile(r"[0-9](?<!\w[0-9])(?<!\d[.:][0-9])[0-9]*(?::[0-9]+)+(?:\.[0-9]+)?")
# A chain continued by more digits is some other notation (unicode digits, "02:22.5.1").
_CHAIN_TAIL_RE: Final = re.compile(r"\d|[.:]\d")
_TOKEN_RE: Final = re.compile(r"[0-9]+(?::[0-9]+)+(?:\.[0-9]+)?")

_RANGE_GAP_RE: Final = re.compile(
    rf"\s*[{_DASHES}~]\s*|\s+(?:to|through|until|till)\s+", re.IGNORECASE
)
_AND_GAP_RE: Final = re.compile(r"\s+and\s+", re.IGNORECASE)
_LIST_GAP_RE: Final = re.compile(r"\s*,\s*(?:(?:and|or|&)\s+)?|\s+(?:and|or|&)\s+", re.IGNORECASE)

# The word must start at a word boundary; "approx." keeps its period, "~"/"@" may touch the
# token, and an opening bracket or a colon ("Time: 1:10") may sit in between. As written
# plainly: (?<![\w/.])\w+(?:[/.]\w+)*\.?|[~@] — here the boundary is checked after the first
# character, so that the pattern starts with a character class and the regex engine skips
# straight to the candidates.
_PREV_WORD_RE: Final = re.compile(r"[\w~@](?:(?<=[~@])|(?<![\w/.]\w)\w*(?:[/.]\w+)*\.?)")
_PREV_GAP_RE: Final = re.compile(r"[\s(\[{:]*")
_NEXT_WORD_RE: Final = re.compile(r"[\s(\[]*([^\W\d_]+(?:/[^\W\d_]+)?)(?:\s+([^\W\d_]+))?")
_LOOKBACK: Final = 200
_SHORT_LOOKBACK: Final = 48

# fmt: off
_TIME_CUES: Final = frozenset({
    "at", "from", "between", "until", "till", "through", "around", "approximately", "approx.",
    "approx", "about", "near", "after", "before", "since", "starting", "ending", "timestamp",
    "timestamps", "time", "circa", "ca.", "~", "@",
})
_RATIO_NOUNS: Final = frozenset({
    "ratio", "ratios", "proportion", "proportions", "mixture", "mixtures", "dilution",
    "dilutions",
})
_RATIO_BEFORE: Final = _RATIO_NOUNS | frozenset({
    "dilute", "diluted", "diluting", "mix", "mixed", "mixing", "v/v", "w/w", "molar",
})
# fmt: on
_RATIO_AFTER: Final = _RATIO_NOUNS | frozenset({"mix", "v/v", "w/w", "molar"})
_BY_AMOUNT: Final = frozenset({"volume", "weight", "mass"})

_LEADING_CHAIN: Final = r"[0-9]+(?::[0-9]+)+(?:\.[0-9]+)?(?![0-9]|[.:][0-9])"
_LEADING_RE: Final = re.compile(
    rf"""
    \s*(?:[-*\u2022]\s+)?                       # LLM breakdowns often come as bullets
    (?P<open>[\[(]\s*)?
    (?P<first>{_LEADING_CHAIN})
    (?:(?:\s*[{_DASHES}~]\s*|\s+(?:to|through|until|till)\s+)(?P<second>{_LEADING_CHAIN}))?
    (?:\s*(?P<close>[\])]))?
    (?P<delim>\s*[{_DASHES}:])?  # dash first: a leading "-" is literal
    """,
    re.VERBOSE | re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def _shape(chain: str) -> tuple[float | None, bool] | None:
    """Read a digits-and-colons chain: None if it is no time shape, else (value, strong)."""
    main, _, fraction = chain.partition(".")
    parts = main.split(":")
    if len(parts) == 2:
        hours = "0"
        minutes, seconds = parts
        if len(minutes) > 2 or len(seconds) != 2:
            return None
        strong = len(minutes) == 2
        in_range = int(seconds) < 60
    elif len(parts) == 3:
        hours, minutes, seconds = parts
        if len(hours) > 2 or len(minutes) != 2 or len(seconds) != 2:
            return None
        strong = True
        in_range = int(minutes) < 60 and int(seconds) < 60
    else:
        return None
    if not in_range:
        return None, strong
    whole = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return whole + (float("0." + fraction) if fraction else 0.0), strong


def _scan_tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    if ":" not in text:
        return tokens
    for match in _CHAIN_RE.finditer(text):
        if _CHAIN_TAIL_RE.match(text, match.end()):
            continue
        shape = _shape(match.group())
        if shape is not None:
            tokens.append(_Token(match.start(), match.end(), *shape))
    return tokens


def _previous_words(text: str, pos: int, limit: int = 3) -> list[str]:
    """Up to `limit` words before `pos`, nearest first; other punctuation ends the search."""
    # One forward scan of a window, then walk back: a backwards regex search anchored at the
    # end would rescan the window once per word. A short window usually settles it; the full
    # one is read only when the walk reached the short window's start.
    if pos > _SHORT_LOOKBACK:
        words, settled = _walk_back(text, pos - _SHORT_LOOKBACK, pos, limit)
        if settled:
            return words
    return _walk_back(text, max(0, pos - _LOOKBACK), pos, limit)[0]


def _walk_back(text: str, start: int, pos: int, limit: int) -> tuple[list[str], bool]:
    """The words walking back from `pos` within text[start:pos], and whether the walk
    stopped for a reason of its own (a limit or punctuation) before running out of window.

    A word cannot start right after a letter, digit, "/" or ".", so the matches inside the
    window are those of any wider window, except a word cut by the window's start, which
    never matches; a walk that stopped on its own is therefore the same in every window.
    """
    words: list[str] = []
    end = pos
    for match in reversed(list(_PREV_WORD_RE.finditer(text, start, pos))):
        if len(words) >= limit or _PREV_GAP_RE.fullmatch(text, match.end(), end) is None:
            return words, True
        # A full stop stays on the word, so "ratio. 02:30" offers no cue "ratio";
        # only "approx." and "ca." are cues with a period.
        words.append(match.group().casefold())
        end = match.start()
    return words, False


def _skip_the(words: list[str]) -> list[str]:
    return words[1:] if words[:1] == ["the"] else words


def _ratio_before(words: list[str]) -> bool:
    if words[:1] in (["a"], ["an"]):
        return True
    rest = _skip_the(words)
    if not rest:
        return False
    if rest[0] in _RATIO_BEFORE:
        return True
    return rest[0] == "of" and len(rest) > 1 and rest[1] in _RATIO_NOUNS


def _time_before(words: list[str]) -> bool:
    rest = _skip_the(words)
    return bool(rest) and rest[0] in _TIME_CUES


def _ratio_after(text: str, pos: int) -> bool:
    match = _NEXT_WORD_RE.match(text, pos)
    if match is None:
        return False
    word = match.group(1).casefold()
    if word in _RATIO_AFTER:
        return True
    return word == "by" and (match.group(2) or "").casefold() in _BY_AMOUNT


def _is_range_gap(text: str, first: _Token, second: _Token, before: list[str]) -> bool:
    if _RANGE_GAP_RE.fullmatch(text, first.stop, second.begin):
        return True
    # "and" only joins a range after "between"; "02:05 and 03:10" cites two moments.
    if _skip_the(before)[:1] != ["between"]:
        return False
    return _AND_GAP_RE.fullmatch(text, first.stop, second.begin) is not None


def _range_ref(text: str, first: _Token, second: _Token) -> TimeRef:
    expression = text[first.begin : second.stop]
    if first.value is None or second.value is None:
        raise TimeExpressionError(
            f"time range {expression} has an endpoint with minutes or seconds >= 60"
        )
    if second.value < first.value:
        raise TimeExpressionError(f"time range {expression} ends before it starts")
    return TimeRef(first.value, second.value, expression, first.begin, second.stop)


def find_times(text: str) -> list[TimeRef]:
    """Every time expression in `text`, in order; a range becomes one TimeRef."""
    tokens = _scan_tokens(text)
    refs: list[TimeRef] = []
    ratio_stop: int | None = None  # end of the latest ratio, so a list of ratios stays ratios
    index = 0
    while index < len(tokens):
        first = tokens[index]
        before = _previous_words(text, first.begin)
        in_ratio_list = ratio_stop is not None and bool(
            _LIST_GAP_RE.fullmatch(text, ratio_stop, first.begin)
        )
        second = None
        if index + 1 < len(tokens) and _is_range_gap(text, first, tokens[index + 1], before):
            second = tokens[index + 1]
        last = second or first
        index += 2 if second else 1

        if in_ratio_list or _ratio_before(before) or _ratio_after(text, last.stop):
            ratio_stop = last.stop
            continue
        time_cue = _time_before(before)
        if second is None:
            if first.value is not None and (first.strong or time_cue):
                moment = text[first.begin : first.stop]
                refs.append(TimeRef(first.value, first.value, moment, first.begin, first.stop))
            continue
        # A range needs one anchor: a cue before it or a valid strong endpoint. Two weak
        # tokens ("1:10-1:20") are a ratio range, so both stay untouched.
        anchored = time_cue or any(t.strong and t.value is not None for t in (first, second))
        if anchored:
            refs.append(_range_ref(text, first, second))
    return refs


def parse_timestamp(token: str) -> float:
    """Seconds for one timestamp token: "02:22" -> 142.0, "1:02:03" -> 3723.0."""
    stripped = token.strip()
    shape = _shape(stripped) if _TOKEN_RE.fullmatch(stripped) else None
    if shape is None:
        raise TimeExpressionError(f"not a timestamp: {token!r}")
    value, _ = shape
    if value is None:
        raise TimeExpressionError(f"timestamp {stripped} has minutes or seconds >= 60")
    return value


def _leading_time(entry: str) -> tuple[TimeRef, int] | None:
    """The time a breakdown entry starts with and where its note begins, or None."""
    match = _LEADING_RE.match(entry)
    if match is None or (match.group("open") is None) != (match.group("close") is None):
        return None
    time_end = match.end("second") if match.group("second") else match.end("first")
    if not (match.group("close") or match.group("delim")):
        # Undelimited ("03:05 the flask is sealed") is only a time when it reads like one:
        # "1:10 dilution of the stock" starts with a ratio, "03:05abc" with a code.
        if time_end < len(entry) and not entry[time_end].isspace():
            return None
        if _ratio_after(entry, time_end):
            return None
    first = _shape(match.group("first"))
    second = _shape(match.group("second")) if match.group("second") else first
    if first is None or second is None:
        return None
    begin = match.start("first")
    expression = entry[begin:time_end]
    start, end = first[0], second[0]
    if start is None or end is None:
        raise TimeExpressionError(f"breakdown time {expression} has minutes or seconds >= 60")
    if end < start:
        raise TimeExpressionError(f"time range {expression} ends before it starts")
    return TimeRef(start, end, expression, begin, time_end), match.end()


def parse_breakdown_entry(entry: str) -> tuple[TimeRef | None, str]:
    """Split "02:14-02:16: 2 mmol GeO2 is added" into its time span and its note.

    A leading time is a time whatever its digits: its position says so. Without one the
    first time anywhere in the entry is used and the whole entry is the note.
    """
    leading = _leading_time(entry)
    if leading is not None:
        ref, note_start = leading
        return ref, entry[note_start:].strip()
    refs = find_times(entry)
    return (refs[0] if refs else None), entry.strip()


def format_timestamp(seconds: float) -> str:
    """142 -> "02:22", 3723 -> "1:02:03"; fractions are floored to whole seconds."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"cannot format {seconds!r} as a timestamp")
    hours, rest = divmod(math.floor(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"
