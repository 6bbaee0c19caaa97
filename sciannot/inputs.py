"""Reading untrusted values: finite numbers, bounded integers, NUL-free text, shallow JSON.

Every number, text and JSON document that arrives from a form, the API, an upload or an
imported file goes through these helpers, so hostile values (NaN, infinity, NUL bytes,
integers of thousands of digits, JSON nested a million deep) are refused with a readable
message instead of reaching the database or the template layer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings

# PostgreSQL column bounds: `integer` is 32-bit, `bigint` 64-bit.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
# More digits than any 64-bit value has: longer strings are refused before int() sees them
# (int() of thousands of digits is slow, and Python refuses more than 4,300).
MAX_INT_DIGITS = 20
NUL = "\x00"


class InputInvalid(ValueError):
    """A value that cannot be accepted; the message says why, for the person who sent it."""


def finite_float(value: Any, *, what: str = "the value") -> float:
    """`value` as a finite float; NaN, infinities and overlong strings are refused."""
    if isinstance(value, bool):
        raise InputInvalid(f"{what} must be a number, not {value!r}")
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    else:
        text = str(value).strip()
        if len(text) > 64:
            raise InputInvalid(f"{what} must be a number, not a {len(text)}-character string")
        try:
            number = float(text)
        except ValueError:
            raise InputInvalid(f"{what} must be a number, not {_show(text)}") from None
    if not math.isfinite(number):
        raise InputInvalid(f"{what} must be a finite number, not {_show(value)}")
    return number


def bounded_int(value: Any, *, what: str = "the value", low: int = 0, high: int = INT32_MAX) -> int:
    """`value` as an integer in [low, high]; digit strings are measured before int()."""
    if isinstance(value, bool):
        raise InputInvalid(f"{what} must be a whole number, not {value!r}")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        digits = text.lstrip("+-")
        if not digits.isascii() or not digits.isdigit():
            raise InputInvalid(f"{what} must be a whole number, not {_show(text)}")
        if len(digits.lstrip("0")) > MAX_INT_DIGITS:
            raise InputInvalid(f"{what} must be between {low} and {high}")
        number = int(text)
    if not low <= number <= high:
        raise InputInvalid(f"{what} must be between {low} and {high}")
    return number


def _show(value: Any) -> str:
    """A short printable rendering of a refused value for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def has_nul(value: Any) -> bool:
    """Whether a NUL character hides anywhere in `value` (keys and values, nested)."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, (bytes, bytearray)):
        return b"\x00" in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(item) for item in value)
    return False


def refuse_nul(value: str, *, what: str) -> str:
    if NUL in value:
        raise InputInvalid(f"{what} contains a NUL character (\\x00)")
    return value


# --- JSON ---------------------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_JSON_LONG_NUMBER = re.compile(rf"-?\d{{{MAX_INT_DIGITS * 5},}}")
_LONG_DIGITS = MAX_INT_DIGITS * 5


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings are skipped)."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def json_precheck(text: str, *, max_depth: int | None = None) -> None:
    """Refuse, without parsing, JSON nested deeper than the limit or holding numbers of
    thousands of digits (what makes Python's parser recurse until it crashes, or stall)."""
    limit = max_depth if max_depth is not None else settings.INPUT_JSON_MAX_DEPTH
    # Fast path: brackets and digit runs counted in the whole text, strings included, bound
    # those outside strings from above; most texts pass here without building the skeleton.
    if text.count("[") + text.count("{") <= limit and not _has_digit_run(text, _LONG_DIGITS):
        return
    _json_precheck_skeleton(text, limit)


def _has_digit_run(text: str, length: int) -> bool:
    """Whether `text` holds `length` decimal digits (what the regex `\\d` matches) in a row.

    Such a run covers one of every `length` positions, so only those are looked at, and
    from each digit among them the run around it is measured.
    """
    for index in range(length - 1, len(text), length):
        if text[index].isdecimal():
            start = index
            while start > 0 and text[start - 1].isdecimal():
                start -= 1
            end = index + 1
            while end < len(text) and end - start < length and text[end].isdecimal():
                end += 1
            if end - start >= length:
                return True
    return False


def _json_precheck_skeleton(text: str, limit: int) -> None:
    """json_precheck's full reading: strings blanked, then brackets and numbers measured."""
    skeleton = _JSON_STRING.sub('""', text)
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(skeleton):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > limit:
        raise InputInvalid(f"JSON nested deeper than {limit} levels")
    if _JSON_LONG_NUMBER.search(skeleton):
        raise InputInvalid(f"a number in the JSON has more than {MAX_INT_DIGITS * 5} digits")


def json_loads(data: str | bytes, *, max_depth: int | None = None) -> Any:
    """Parse JSON that came from outside; too deep, huge numbers, NaN and bad bytes are refused
    with an InputInvalid (never a RecursionError)."""
    if isinstance(data, (bytes, bytearray)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputInvalid(f"not UTF-8 (byte {exc.start})") from None
    else:
        text = data
    json_precheck(text, max_depth=max_depth)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_json_float)
    except InputInvalid:
        raise
    except RecursionError:  # belt and braces: the depth check above should prevent it
        raise InputInvalid("JSON nested too deeply") from None
    except ValueError as exc:
        raise InputInvalid(f"not valid JSON: {exc}") from None


def _finite_json_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise InputInvalid(f"{text} is too large a number")
    return number


def _refuse_constant(name: str) -> Any:
    raise InputInvalid(f"{name} is not a JSON number")


# --- Text lengths --------------------------------------------------------------------------------


def text_limit(kind: str) -> int:
    """The longest text of this kind (question, option, rationale, comment, name, note,
    description, cue)."""
    return int(settings.TEXT_LIMITS[kind])


def check_length(value: str, *, kind: str, what: str) -> str | None:
    """A message when `value` is longer than its kind allows, else None."""
    limit = text_limit(kind)
    if len(value) > limit:
        return f"{what} is {len(value):,} characters long; the limit is {limit:,}"
    return None


def iter_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_strings(key)
            yield from iter_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from iter_strings(item)
