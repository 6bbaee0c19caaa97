"""Typed readers of environment variables, for the settings.

Every setting that comes from the environment is read through one of these, so every setting
follows the same rules:

- An unset variable and a blank one (``NAME=`` or only spaces, as `.env.example` and compose
  leave many) both mean the default. Surrounding spaces are ignored.
- A value that cannot be used stops the start with ``ImproperlyConfigured`` naming the
  variable, the value it has and what it should be: ``LLM_TIMEOUT must be a number greater
  than 0, not 'soon'``.

The readers read ``os.environ`` when called (not at import), so a test can set a variable and
read it again.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def raw(name: str) -> str | None:
    """The variable's value without surrounding spaces, or None when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def refuse(name: str, expected: str, value: object) -> ImproperlyConfigured:
    """The error for a bad value: it names the variable, what is expected and the value."""
    return ImproperlyConfigured(f"{name} must be {expected}, not {value!r}")


def env_str(name: str, default: str = "") -> str:
    value = raw(name)
    return default if value is None else value


def env_choice(name: str, default: str, choices: Sequence[str]) -> str:
    """One of `choices` (compared exactly)."""
    value = env_str(name, default)
    if value not in choices:
        quoted = [repr(choice) for choice in choices]
        listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        raise refuse(name, listed, value)
    return value


def env_bool(name: str, default: bool) -> bool:
    """1/0, true/false, yes/no or on/off, in any case."""
    value = raw(name)
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise refuse(name, "a boolean (1/0, true/false, yes/no, on/off)", value)


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def _bounds(minimum: float | None, maximum: float | None, *, strict_minimum: bool) -> str:
    low = "greater than" if strict_minimum else "at least"
    if minimum is not None and maximum is not None:
        return f"{low} {_number(minimum)} and at most {_number(maximum)}"
    if minimum is not None:
        return f"{low} {_number(minimum)}"
    if maximum is not None:
        return f"at most {_number(maximum)}"
    return ""


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = 0,
    maximum: int | None = None,
    expected: str | None = None,
) -> int:
    """A whole number within the bounds (at least 0 unless told otherwise).

    `expected` replaces the description in the error message ("a whole number of days, at
    least 1"); by default an unreadable value is refused as "a whole number, at least 1" and
    one out of bounds as "at least 1".
    """
    value = raw(name)
    if value is None:
        return default
    bounds = _bounds(minimum, maximum, strict_minimum=False)
    try:
        number = int(value)
    except ValueError:
        raise refuse(
            name, expected or ", ".join(filter(None, ["a whole number", bounds])), value
        ) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise refuse(name, expected or bounds, value)
    return number


def env_float(
    name: str,
    default: float,
    *,
    minimum: float | None = 0.0,
    maximum: float | None = None,
    above_minimum: bool = False,
) -> float:
    """A finite number within the bounds (at least 0 unless told otherwise; greater than the
    minimum with `above_minimum`)."""
    value = raw(name)
    if value is None:
        return default
    bounds = _bounds(minimum, maximum, strict_minimum=above_minimum)
    expected = ", ".join(filter(None, ["a finite number", bounds]))
    try:
        number = float(value)
    except ValueError:
        raise refuse(name, expected, value) from None
    if not math.isfinite(number):
        raise refuse(name, expected, value)
    if minimum is not None and (number <= minimum if above_minimum else number < minimum):
        raise refuse(name, expected, value)
    if maximum is not None and number > maximum:
        raise refuse(name, expected, value)
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated values, spaces around each removed and empty ones dropped."""
    value = raw(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


def env_path(name: str, default: Path) -> Path:
    """A filesystem path; `~` is expanded. Nothing is created or checked on disk."""
    value = raw(name)
    return default if value is None else Path(value).expanduser()


def env_url(name: str, default: str, *, schemes: Collection[str] = ("http", "https")) -> str:
    """An absolute URL with one of `schemes`, without a trailing slash."""
    value = raw(name)
    if value is None:
        return default
    parts = urlsplit(value)
    if parts.scheme not in schemes or not parts.netloc:
        example = f"{sorted(schemes)[-1]}://host.example.org"
        raise refuse(name, f"an absolute URL like {example}", value)
    return value.rstrip("/")


def env_parsed(name: str, default: T, parse: Callable[[str], T], expected: str) -> T:
    """A value that `parse` turns into a setting; a ValueError, TypeError, KeyError or
    AttributeError from it refuses the value, with its reason after `expected`."""
    value = raw(name)
    if value is None:
        return default
    try:
        return parse(value)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ImproperlyConfigured(f"{name} must be {expected}, not {value!r}: {exc}") from exc
