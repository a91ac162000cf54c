"""Schemathesis hooks for this API (loaded through ``tests/e2e/schemathesis.toml``).

- A listing cursor is a token only the service issues (so is a cursor over an article's
  versions, format ``versions-cursor``). Its schema declares the shape
  (URL-safe base64, at most 2048 characters) and the format ``listing-cursor``, registered here
  so that fuzzed cursors are ones the local backend issues (a position: date, article id).
- Three refusals of schema-valid input depend on state no schema can express, and are the
  documented answers: a cursor of the right shape that the service never issued
  (``invalid_cursor``, e.g. the coverage phase's boundary strings), an ``Idempotency-Key``
  sent before with another body (``idempotency_key_reused``; generated keys repeat), and a
  ``POST /discover`` whose start URL cannot be read (``invalid_url``, ``dns_error``,
  ``not_a_feed``…: the fuzzed server's fetcher reaches nothing). Only those
  ``positive_data_acceptance`` failures are dropped, and the run's summary counts them; a
  ``validation_error`` from ``/discover`` is kept.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.openapi.checks import RejectedPositiveData

from core.adapters.local.article_store import decode_cursor, encode_cursor
from core.errors import InvalidCursor
from core.versions import decode_versions_cursor, encode_versions_cursor
from handlers.api import CURSOR_FORMAT, VERSIONS_CURSOR_FORMAT

_ARTICLE_IDS = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
#: Articles without a publication date sort under the empty date.
_DATES = st.one_of(st.just(""), st.dates().map(date.isoformat))

LISTING_CURSORS = st.builds(encode_cursor, _DATES, _ARTICLE_IDS)

schemathesis.openapi.format(CURSOR_FORMAT, LISTING_CURSORS)
VERSIONS_CURSORS = st.builds(encode_versions_cursor, st.integers(1, 10**6))
schemathesis.openapi.format(VERSIONS_CURSOR_FORMAT, VERSIONS_CURSORS)


def _problem_code(response: Any) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


def _issued_here(cursor: object, *, versions: bool = False) -> bool:
    """Whether the local backend could have issued ``cursor`` (a listing's, or with
    ``versions`` one over an article's versions)."""
    if not isinstance(cursor, str):
        return False
    try:
        decode_versions_cursor(cursor) if versions else decode_cursor(cursor)
    except InvalidCursor:
        return False
    return True


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except the three state-dependent refusals described above."""
    if not isinstance(failure, RejectedPositiveData):
        return True
    code = _problem_code(response)
    if code == "idempotency_key_reused":
        return False
    if failure.operation == "POST /discover" and response.status_code == 422:
        return code in (None, "validation_error")
    if code == "invalid_cursor":
        versions = str(failure.operation).endswith("/versions")
        return _issued_here((case.query or {}).get("cursor"), versions=versions)
    return True
