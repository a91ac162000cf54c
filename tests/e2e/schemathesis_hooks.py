"""Schemathesis hooks for this API (loaded through ``tests/e2e/schemathesis.toml``).

- A listing cursor is a token only the service issues (so is a cursor over an article's
  versions, format ``versions-cursor``). Its schema declares the shape
  (URL-safe base64, at most 2048 characters) and the format ``listing-cursor``, registered here
  so that fuzzed cursors are ones the local backend issues (a position: date, article id).
- A batch's items cursor has the same shape and its own format, ``batch-items-cursor``; it
  names its batch, so a fuzzed one is usually for another batch (``invalid_cursor``, dropped
  like a listing cursor the service never issued; one issued for that very batch is kept).
- Four refusals of schema-valid input depend on state no schema can express, and are the
  documented answers: a cursor of the right shape that the service never issued
  (``invalid_cursor``, e.g. the coverage phase's boundary strings), an ``Idempotency-Key``
  sent before with another body (``idempotency_key_reused``; generated keys repeat), and a
  ``POST /discover`` whose start URL cannot be read (``invalid_url``, ``dns_error``,
  ``not_a_feed``…: the fuzzed server's fetcher reaches nothing), and a batch ``webhook`` the
  fetcher's URL rules refuse (``invalid_webhook``: a port or address the policy does not
  admit). Only those
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
from core.batches.models import cursor_index, items_cursor
from core.errors import InvalidCursor
from core.versions import decode_versions_cursor, encode_versions_cursor
from handlers.api import BATCH_CURSOR_FORMAT, CURSOR_FORMAT, VERSIONS_CURSOR_FORMAT

_ARTICLE_IDS = st.from_regex(r"[0-9a-f]{32}", fullmatch=True)
#: Articles without a publication date sort under the empty date.
_DATES = st.one_of(st.just(""), st.dates().map(date.isoformat))

LISTING_CURSORS = st.builds(encode_cursor, _DATES, _ARTICLE_IDS)

schemathesis.openapi.format(CURSOR_FORMAT, LISTING_CURSORS)
#: A batch's items cursor names its batch: fuzzed ones are for some batch, rarely this one.
BATCH_CURSORS = st.builds(
    items_cursor, st.from_regex(r"b_[0-9a-f]{24}", fullmatch=True), st.integers(0, 10**6)
)
schemathesis.openapi.format(BATCH_CURSOR_FORMAT, BATCH_CURSORS)
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


def _issued_for_batch(cursor: object, batch_id: str) -> bool:
    """Whether ``cursor`` is one the service issues for the items of ``batch_id``."""
    if not isinstance(cursor, str):
        return False
    try:
        cursor_index(batch_id, cursor)
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
    if code == "invalid_webhook":  # the fetcher's rules: schemes, ports, literal addresses
        return False
    if failure.operation == "POST /discover" and response.status_code == 422:
        return code in (None, "validation_error")
    if code == "invalid_cursor" and failure.operation == "GET /batches/{batch_id}":
        batch_id = (case.path_parameters or {}).get("batch_id")
        return _issued_for_batch((case.query or {}).get("cursor"), str(batch_id))
    if code == "invalid_cursor":
        versions = str(failure.operation).endswith("/versions")
        return _issued_here((case.query or {}).get("cursor"), versions=versions)
    return True
