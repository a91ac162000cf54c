"""Opaque listing cursors: URL-safe base64 of a small JSON document.

A cursor comes back from the caller, so it is decoded as untrusted input: bounded JSON
(``core.safe_json``), and any failure is ``InvalidCursor`` (a 400 ``invalid_cursor``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from core import safe_json
from core.errors import InvalidCursor


def encode_cursor(state: Any) -> str:
    """The cursor carrying ``state`` (anything JSON can hold)."""
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> Any:
    """The state ``encode_cursor`` put in ``cursor``; ``InvalidCursor`` for anything else."""
    try:
        return safe_json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, TypeError) as error:  # binascii, Unicode and JSON errors included
        raise InvalidCursor("invalid cursor: pass the next_cursor of the previous page") from error
