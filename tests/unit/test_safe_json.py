"""Bounded JSON: nesting and number length are measured before parsing, strings skipped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import safe_json
from core.cursor import decode_cursor, encode_cursor
from core.errors import InvalidCursor, InvalidInput

TRICKY_TEXT = st.text(alphabet='[]{}"\\0123456789eE.-+ a\n\u00e9', max_size=20)


def nested(depth: int, leaf: Any) -> Any:
    for n in range(depth):
        leaf = [leaf] if n % 2 else {"k": leaf}
    return leaf


@given(depth=st.integers(0, safe_json.MAX_DEPTH - 1), leaf=TRICKY_TEXT)
def test_documents_within_bounds_parse(depth: int, leaf: str) -> None:
    value = nested(depth, leaf)
    assert safe_json.loads(json.dumps(value)) == value


@given(depth=st.integers(safe_json.MAX_DEPTH, 3 * safe_json.MAX_DEPTH), leaf=TRICKY_TEXT)
def test_deeper_documents_are_refused(depth: int, leaf: str) -> None:
    with pytest.raises(safe_json.JsonTooComplex):
        safe_json.loads(json.dumps([nested(depth, leaf)]))


@pytest.mark.parametrize(
    "document",
    [
        b"[" * 100_000,
        b"[" * 5000 + b"]" * 5000,
        b'{"a":' * 5000,
        b"1" * 4301,
        b"-" + b"1" * 100,
        b"1." + b"0" * 100,
        b"[1e" + b"9" * 100 + b"]",
    ],
)
def test_hostile_documents_are_too_complex(document: bytes) -> None:
    with pytest.raises(safe_json.JsonTooComplex):
        safe_json.loads(document)


@pytest.mark.parametrize(
    "document",
    [
        b'"' + b'\\"' * 50_000,  # a quote-and-backslash flood, unterminated
        b'"' * 100_001,
        b'"\\',
        b"[" * 10 + b'"' + b"[" * 1000,  # brackets inside an unterminated string
    ],
)
def test_malformed_documents_are_left_to_the_parser(document: bytes) -> None:
    with pytest.raises(json.JSONDecodeError):
        safe_json.loads(document)


def test_text_documents_are_checked_too() -> None:
    with pytest.raises(safe_json.JsonTooComplex):
        safe_json.loads("[" * 40 + "]" * 40)
    assert safe_json.loads('{"é": [1.5e10, -2, "[[[["]}') == {"é": [1.5e10, -2, "[[[["]}


def test_a_cursor_round_trips() -> None:
    state = {"f": "digest", "p": {"lane": ["2024-01-01", "id"]}}
    assert decode_cursor(encode_cursor(state)) == state


@pytest.mark.parametrize("raw", [b"[" * 1500, b"9" * 5000, b"\xff", b"{"])
def test_a_hostile_cursor_is_invalid(raw: bytes) -> None:
    import base64

    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(base64.urlsafe_b64encode(raw).decode())
    assert isinstance(caught.value, InvalidInput)
    assert caught.value.code == "invalid_cursor"
