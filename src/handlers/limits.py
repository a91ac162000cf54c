"""Bounds on what a request may ask the parsers to do, checked before any parsing.

A JSON body nested thousands deep or holding a number of thousands of digits would make
Python's ``json`` raise ``RecursionError`` / ``ValueError`` inside Powertools (a 500); it is
refused here with a 400 ``json_too_complex`` problem instead. Listing cursors are bounded the
same way where they are decoded (``core.cursor``).
"""

from __future__ import annotations

from typing import Any

from core import safe_json
from handlers import problems


def json_body_problem(body: bytes) -> dict[str, Any] | None:
    """A problem response for a JSON body too complex to parse safely, or None."""
    try:
        safe_json.check(body)
    except safe_json.JsonTooComplex as error:
        return problems.problem_event_response(
            400,
            "json_too_complex",
            f"The request body is refused: {error} (at most {safe_json.MAX_DEPTH} levels"
            f" and {safe_json.MAX_NUMBER_DIGITS}-character numbers).",
        )
    return None
