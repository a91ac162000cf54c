"""Request bodies and query parameters built to crash a parser answer 4xx problems through
the Lambda handler (API Gateway HTTP API events), never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from tests.unit.api.conftest import Call, assert_problem

DEEP = b"[" * 5000 + b"]" * 5000
HOSTILE_BODIES = {
    "deep-array": b'{"urls": ' + DEEP + b"}",
    "deep-object": b'{"urls": ["https://a.example/"], "x": '
    + b'{"a":' * 5000
    + b"1"
    + b"}" * 5000
    + b"}",
    "deep-unclosed": b'{"urls": ' + b"[" * 5000,
    "bare-deep-array": DEEP,
    "huge-integer": b'{"urls": ["https://a.example/"], "async": ' + b"9" * 5000 + b"}",
    "huge-integer-in-list": b'{"urls": [' + b"1" * 4301 + b"]}",
    "bare-huge-integer": b"9" * 5000,
    "huge-float": b'{"urls": 1' + b"0" * 5000 + b".5}",
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_json_body_is_a_400_problem(api: Call, body: bytes) -> None:
    answer = api("POST", "/articles", body=body, headers={"Content-Type": "application/json"})
    problem = assert_problem(answer, 400, "json_too_complex")
    assert "9999" not in problem["detail"]  # the input is never echoed


def test_brackets_and_digits_inside_strings_do_not_count(api: Call) -> None:
    url = "https://a.example/" + "[{" * 900 + "9" * 2000
    answer = api("POST", "/articles", json_body={"urls": [url], "async": "x"})
    # Refused for what it is (a bad `async`), not as too complex.
    problem = assert_problem(answer, 422, "validation_error")
    assert problem["errors"][0]["location"] == "body.async"


def test_a_request_nested_as_deep_as_allowed_is_validated_normally(api: Call) -> None:
    body = b'{"urls": ' + b"[" * 30 + b'"x"' + b"]" * 30 + b"}"
    answer = api("POST", "/articles", body=body, headers={"Content-Type": "application/json"})
    assert_problem(answer, 422, "validation_error")


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


HOSTILE_CURSORS = {
    "deep-1500": _cursor(b"[" * 1500),
    "deep-closed": _cursor(b"[" * 750 + b"]" * 750),
    "deep-object": _cursor(b'{"a":' * 300),
    "huge-integer": _cursor(b"9" * 1530),
    "not-base64": "!!!!",
    "not-utf8": _cursor(b"\xff\xfe\xfd"),
    "wrong-shape": _cursor(json.dumps({"f": 1}).encode()),
    "three-items": _cursor(json.dumps(["2024-01-01", "a", "b"]).encode()),
    "numbers": _cursor(json.dumps([1, 2]).encode()),
}


@pytest.mark.parametrize("cursor", HOSTILE_CURSORS.values(), ids=HOSTILE_CURSORS.keys())
def test_hostile_cursor_is_a_400_problem(api: Call, cursor: str) -> None:
    assert len(cursor) <= 2048  # within the parameter's length limit: decoding is reached
    assert_problem(api("GET", f"/articles?cursor={cursor}"), 400, "invalid_cursor")


@pytest.mark.parametrize(
    "query",
    [
        "limit=" + "9" * 5000,
        "limit=-" + "9" * 5000,
        "limit=1e999",
        "status=" + "x" * 5000,
        "since=" + "2" * 5000,
    ],
)
def test_hostile_query_parameters_are_422_problems(api: Call, query: str) -> None:
    assert_problem(api("GET", f"/articles?{query}"), 422, "validation_error")


def test_a_long_search_query_of_brackets_is_answered(api: Call) -> None:
    answer = api("GET", "/search?q=" + "%5B" * 256)
    assert answer.status == 200
    assert answer.json()["items"] == []
