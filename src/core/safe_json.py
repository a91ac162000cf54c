"""JSON from untrusted callers, bounded before it is parsed.

Python's ``json`` module recurses once per nesting level (a ``RecursionError`` near 1,000
levels, or far sooner on a deep stack) and converts integer literals with ``int()`` (a
``ValueError`` past 4,300 digits, and quadratic time below that). ``check`` measures nesting
and the longest number of a document in linear time, without building anything, so a hostile
document is refused with a clear error instead of crashing the parser.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

#: Deepest nesting of arrays/objects accepted; the API's documents need three levels.
MAX_DEPTH = 32
#: Most digits in one number literal (its integer part, fraction and exponent together).
MAX_NUMBER_DIGITS = 64

# A string runs to its closing quote, or to the end of an unterminated document: every quote
# starts a match, so scanning stays linear on quote-and-backslash floods.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
# Each opening bracket becomes +1 and each closing one -1 (as a signed byte); anything else
# is deleted, so the running sum is the nesting depth.
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_LONG_NUMBER = re.compile(rb"[0-9.eE+-]{%d,}" % (MAX_NUMBER_DIGITS + 1))


class JsonTooComplex(ValueError):
    """A JSON document nests too deeply or holds too long a number to be parsed safely."""


def check(document: bytes | str) -> None:
    """Raise ``JsonTooComplex`` when ``document`` nests deeper than ``MAX_DEPTH`` or holds a
    number longer than ``MAX_NUMBER_DIGITS`` characters. Malformed JSON passes (the parser
    reports it); strings are skipped whatever they contain."""
    data = document.encode("utf-8", "surrogatepass") if isinstance(document, str) else document
    skeleton = _STRING.sub(b'""', data)
    brackets = skeleton.translate(_BRACKETS, _NOT_BRACKETS)
    opening = brackets.count(1)
    if opening > MAX_DEPTH and max(accumulate(memoryview(brackets).cast("b"))) > MAX_DEPTH:
        raise JsonTooComplex(f"JSON nested deeper than {MAX_DEPTH} levels")
    if _LONG_NUMBER.search(skeleton):
        raise JsonTooComplex(f"a JSON number longer than {MAX_NUMBER_DIGITS} characters")


def loads(document: bytes | str) -> Any:
    """``json.loads`` after ``check``; raises ``ValueError`` (``JsonTooComplex`` or
    ``json.JSONDecodeError``) for anything it will not return."""
    check(document)
    return json.loads(document)
