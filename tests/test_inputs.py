"""Reading untrusted values (sciannot/inputs.py) and the request guard in front of the views."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sciannot.inputs import (
    INT64_MAX,
    InputInvalid,
    bounded_int,
    finite_float,
    has_nul,
    json_depth,
    json_loads,
)


@pytest.mark.parametrize(
    "value", ["nan", "NaN", "inf", "-Infinity", "1e400", float("nan"), 10**400]
)
def test_non_finite_numbers_are_refused(value: Any) -> None:
    with pytest.raises(InputInvalid, match="finite number"):
        finite_float(value, what="the time")


@pytest.mark.parametrize("value", ["x", "", "1" * 5000, True])
def test_junk_is_not_a_number(value: Any) -> None:
    with pytest.raises(InputInvalid, match="must be a number"):
        finite_float(value)


def test_finite_numbers_pass() -> None:
    assert finite_float(" 2.5 ") == 2.5
    assert finite_float(3) == 3.0


@pytest.mark.parametrize("value", ["9" * 5000, str(2**63), "-1", "1.5", "١٢", "", "0x10"])
def test_integers_are_bounded_before_they_are_parsed(value: str) -> None:
    with pytest.raises(InputInvalid, match="seed"):
        bounded_int(value, what="the seed", high=INT64_MAX)


def test_integers_in_range_pass() -> None:
    assert bounded_int("0042", high=100) == 42
    assert bounded_int(str(INT64_MAX), high=INT64_MAX) == INT64_MAX


def test_deep_json_is_refused_without_recursion_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert json_depth(deep) == 100_000
    with pytest.raises(InputInvalid, match="nested deeper than 64"):
        json_loads(deep)
    # Brackets inside strings do not count.
    assert json_loads(json.dumps({"a": "[" * 100})) == {"a": "[" * 100}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        ("[NaN]", "NaN is not a JSON number"),
        ("[1e400]", "too large a number"),
        ("[" + "7" * 5000 + "]", "more than 100 digits"),
        ("{", "not valid JSON"),
    ],
)
def test_bad_json_is_refused_with_a_reason(text: str | bytes, message: str) -> None:
    with pytest.raises(InputInvalid, match=message):
        json_loads(text)


def test_nul_is_found_anywhere() -> None:
    assert has_nul({"a": ["b", {"c\x00": 1}]})
    assert not has_nul({"a": ["b", {"c": 1.5}]})


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_api_refusals_are_json_also_in_debug(curator: Any, settings: Any, debug: bool) -> None:
    settings.DEBUG = debug
    client = Client()
    client.force_login(curator)
    missing = client.get("/api/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json()["detail"].lower() == "not found."
    nul = client.get("/api/questions/?video_id=%00")
    assert nul.status_code == 400
    assert nul.json() == {"detail": "A filter contains a NUL character."}
    deep = client.post(
        "/api/releases/x/1.0.0/predictions",
        data="[" * 50_000 + "]" * 50_000,
        content_type="application/json",
    )
    assert deep.status_code == 400
    assert "nested deeper than" in deep.json()["detail"]
    nul_json = client.post(
        "/videos/uploads/",
        data=json.dumps({"kind": "video", "name": "jove_1\x00.mp4", "size": 10}),
        content_type="application/json",
    )
    assert nul_json.status_code == 400
    assert nul_json.json() == {"error": "A value in the JSON body contains a NUL character."}
