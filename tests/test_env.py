"""The environment readers the settings use: blank means the default, a bad value is named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sciannot.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_parsed,
    env_path,
    env_str,
    env_url,
)

NAME = "SCIANNOT_TEST_VARIABLE"


@pytest.fixture
def setenv(monkeypatch: pytest.MonkeyPatch) -> Callable[[str | None], None]:
    def set_value(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv(NAME, raising=False)
        else:
            monkeypatch.setenv(NAME, value)

    return set_value


def refused(message: str) -> pytest.RaisesContext[ImproperlyConfigured]:
    return pytest.raises(ImproperlyConfigured, match=message)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unset_and_blank_mean_the_default_for_every_reader(setenv, value: str | None) -> None:
    setenv(value)
    assert env_str(NAME, "d") == "d"
    assert env_choice(NAME, "a", ["a", "b"]) == "a"
    assert env_bool(NAME, True) is True
    assert env_int(NAME, 7, minimum=1) == 7
    assert env_float(NAME, 1.5, above_minimum=True) == 1.5
    assert env_list(NAME, ["x"]) == ["x"]
    assert env_path(NAME, Path("/srv")) == Path("/srv")
    assert env_url(NAME, "") == ""
    assert env_parsed(NAME, {}, int, "a number") == {}


def test_strings_lose_surrounding_spaces(setenv) -> None:
    setenv("  value  ")
    assert env_str(NAME) == "value"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), ("yes", True), ("on", True), ("0", False), ("Off", False)],
)
def test_booleans(setenv, value: str, expected: bool) -> None:
    setenv(value)
    assert env_bool(NAME, not expected) is expected


def test_a_bad_boolean_is_named(setenv) -> None:
    setenv("maybe")
    with refused(rf"{NAME} must be a boolean \(1/0, true/false, yes/no, on/off\), not 'maybe'"):
        env_bool(NAME, False)


def test_whole_numbers_and_their_bounds(setenv) -> None:
    setenv(" 42 ")
    assert env_int(NAME, 0) == 42
    setenv("4G")
    with refused(f"{NAME} must be a whole number, at least 1, not '4G'"):
        env_int(NAME, 5, minimum=1)
    setenv("2.5")
    with refused(f"{NAME} must be a whole number, not '2.5'"):
        env_int(NAME, 5, minimum=None)
    setenv("0")
    with refused(f"{NAME} must be at least 1, not '0'"):
        env_int(NAME, 5, minimum=1)
    setenv("-1")
    with refused(f"{NAME} must be at least 0, not '-1'"):
        env_int(NAME, 5)
    setenv("70000")
    with refused(f"{NAME} must be at least 1 and at most 65535, not '70000'"):
        env_int(NAME, 25, minimum=1, maximum=65535)
    setenv("a week")
    with refused(f"{NAME} must be a whole number of days, at least 1, not 'a week'"):
        env_int(NAME, 7, minimum=1, expected="a whole number of days, at least 1")


def test_numbers_are_finite_and_within_bounds(setenv) -> None:
    setenv("2.5")
    assert env_float(NAME, 1.0) == 2.5
    for bad in ("soon", "nan", "inf", "-inf"):
        setenv(bad)
        with refused(f"{NAME} must be a finite number, at least 0, not '{bad}'"):
            env_float(NAME, 1.0)
    setenv("0")
    with refused(f"{NAME} must be a finite number, greater than 0, not '0'"):
        env_float(NAME, 90.0, above_minimum=True)
    setenv("1.5")
    with refused(f"{NAME} must be a finite number, at least 0 and at most 1, not '1.5'"):
        env_float(NAME, 0.5, maximum=1.0)


def test_choices(setenv) -> None:
    setenv("s3")
    assert env_choice(NAME, "local", ["local", "s3"]) == "s3"
    setenv("ftp")
    with refused(f"{NAME} must be 'local' or 's3', not 'ftp'"):
        env_choice(NAME, "local", ["local", "s3"])
    with refused(f"{NAME} must be 'django', 'nginx' or 's3', not 'ftp'"):
        env_choice(NAME, "django", ["django", "nginx", "s3"])


def test_lists_drop_empty_parts(setenv) -> None:
    setenv(" a, b ,,c ,")
    assert env_list(NAME, []) == ["a", "b", "c"]


def test_paths_expand_the_home_folder_and_touch_nothing(setenv, tmp_path: Path) -> None:
    setenv(str(tmp_path / "not-there"))
    assert env_path(NAME, Path("/")) == tmp_path / "not-there"
    assert not (tmp_path / "not-there").exists()
    setenv("~/data")
    assert env_path(NAME, Path("/")) == Path.home() / "data"


def test_urls_are_absolute_without_a_trailing_slash(setenv) -> None:
    setenv("https://svb.example.org/")
    assert env_url(NAME, "") == "https://svb.example.org"
    for bad in ("svb.example.org", "ftp://svb.example.org", "https://"):
        setenv(bad)
        with refused(f"{NAME} must be an absolute URL like https://host.example.org, not"):
            env_url(NAME, "")


def test_parsed_values_give_the_parser_s_reason(setenv) -> None:
    setenv("[1, 2]")
    assert env_parsed(NAME, [], lambda v: [int(x) for x in v.strip("[]").split(",")], "x") == [
        1,
        2,
    ]
    setenv("twelve")
    with refused(f"{NAME} must be a number, not 'twelve': invalid literal"):
        env_parsed(NAME, 0, int, "a number")
