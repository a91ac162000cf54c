"""Webhook signatures: what ``core.signing`` sends is what the recipe in docs/api.md accepts,
and neither accepts a changed body, another key or a stale timestamp."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers, verify

API_DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
BODY = b'{"id":"b_0.finished","type":"batch.finished"}'


def documented_verifier() -> Callable[..., bool]:
    """The Python verifier printed under "Batch webhooks" in docs/api.md."""
    section = API_DOC.read_text().split("#### Batch webhooks", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code, "docs/api.md lost its verification recipe"
    namespace: dict[str, object] = {}
    exec(code.group(1), namespace)
    verifier = namespace["verify"]
    assert callable(verifier)
    return verifier


def test_the_documented_recipe_accepts_our_signature_and_nothing_else() -> None:
    doc_verify = documented_verifier()
    headers = signed_headers("k3y", BODY)
    stamp, signature = headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER]
    assert signature.startswith("v1=")
    assert doc_verify(b"k3y", BODY, stamp, signature)
    assert not doc_verify(b"other", BODY, stamp, signature)
    assert not doc_verify(b"k3y", BODY + b" ", stamp, signature)
    old = signed_headers("k3y", BODY, now=time.time() - 3600)
    assert not doc_verify(b"k3y", BODY, old[TIMESTAMP_HEADER], old[SIGNATURE_HEADER])


@pytest.mark.parametrize(
    ("secret", "body", "age_s", "ok"),
    [
        ("k3y", BODY, 0, True),
        ("k3y", BODY, 299, True),
        ("k3y", BODY, 301, False),  # outside the replay window
        ("k3y", BODY, -301, False),  # from the future
        ("nope", BODY, 0, False),
        ("k3y", BODY.replace(b"finished", b"started"), 0, False),
    ],
)
def test_verify(secret: str, body: bytes, age_s: int, ok: bool) -> None:
    now = 1_767_225_600.0
    headers = signed_headers("k3y", BODY, now=now - age_s)
    assert verify(secret, headers, body, now=now) is ok


def test_the_timestamp_is_part_of_what_is_signed() -> None:
    headers = signed_headers("k3y", BODY, now=1000)
    moved = {**headers, TIMESTAMP_HEADER: "1001"}
    assert not verify("k3y", moved, BODY, now=1001)
    assert verify("k3y", {k.lower(): v for k, v in headers.items()}, BODY, now=1000)
