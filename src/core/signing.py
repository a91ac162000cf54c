"""Webhook signatures: HMAC-SHA256 over ``timestamp + "." + body``, the timestamp in a header.

A receiver recomputes the HMAC with the shared secret, compares it in constant time and
refuses a timestamp older than its replay window (``verify``; recipe in docs/api.md).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TIMESTAMP_HEADER = "Article-Ingest-Timestamp"
SIGNATURE_HEADER = "Article-Ingest-Signature"
SCHEME = "v1"
#: Deliveries older (or newer) than this are refused by ``verify``: the replay window.
TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: ``v1=<hex HMAC-SHA256 of "timestamp.body">``."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The headers of a signed JSON delivery of ``body``."""
    timestamp = int(time.time() if now is None else now)
    return {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance_s: int = TOLERANCE_S,
) -> bool:
    """Whether ``body`` with ``headers`` (names case-insensitive) was signed with ``secret``
    within ``tolerance_s`` seconds of ``now``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    given = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), given)
