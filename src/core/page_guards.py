"""Cheap checks on a page's bytes before it is parsed: refuse what no real page looks like.

libxml2 and trafilatura take time that grows with the number of elements (100,000 sibling
``<p>``: seconds; 200,000: minutes and 400 MB) and, for one element, with the square of its
attributes (each is checked against all the others: 40,000 take ~14 s). Such a page is
``too_complex`` at once instead of spending its whole time budget.

Calibration (``python -m bench.extraction_digest``'s 1,497 pages of ``../shared/bench``, both
folders): the most ``<`` in one page is 21,646 (a 5 MB product listing), the most attributes in
one tag 2,338 (a crude count, in an attribute-heavy product grid). The limits are about four
times those, so no real page of the set is refused (``tests/unit/test_page_guards.py`` checks
every one when the set is present). The checks take ~0.15 ms on an average page (0.3 % of its
extraction): ``<`` and ``=`` are counted by numpy, a megabyte at a time (``bytes.count`` of one
byte took 0.12 ms each on an average page of 226 KB, numpy both in 0.03 ms), and the attribute
scan runs only on a page with that many ``=`` (63 of the 1,497).
"""

from __future__ import annotations

import re

from core.errors import ExtractionFailed

MAX_MARKUP = 80_000  # ``<`` in one page (largest real page: 21,646)
MAX_ATTRIBUTES = 10_000  # ``name=`` in one tag (largest real tag: 2,338)
# Only a tag this long can hold MAX_ATTRIBUTES attributes (each takes two bytes at least: ``a=``).
_LONG_TAG = re.compile(rb"<[A-Za-z][^<>]{%d,}" % (2 * MAX_ATTRIBUTES))
_ATTRIBUTE = re.compile(rb"[\s\"'][^\s=<>/\"']+\s*=")


# The bytes counted at a time: numpy compares a slice into a temporary array of its size.
_SLICE = 1 << 20
_LT, _EQ = ord("<"), ord("=")


def markup_counts(body: bytes) -> tuple[int, int]:
    """How many ``<`` and ``=`` ``body`` holds (``body.count`` of each, faster)."""
    import numpy as np  # deferred: loaded already where pages are extracted (fingerprint)

    data = np.frombuffer(body, dtype=np.uint8)
    tags = equals = 0
    for start in range(0, len(data), _SLICE):
        part = data[start : start + _SLICE]
        tags += int(np.count_nonzero(part == _LT))
        equals += int(np.count_nonzero(part == _EQ))
    return tags, equals


def check_complexity(body: bytes) -> None:
    """Raise ``ExtractionFailed("too_complex")`` when ``body`` is beyond what a page needs."""
    markup, equals = markup_counts(body)
    if markup > MAX_MARKUP:
        raise ExtractionFailed(
            "too_complex",
            f"the page has {markup:,} tags; more than {MAX_MARKUP:,} are not extracted",
        )
    if equals <= MAX_ATTRIBUTES:
        return
    for tag in _LONG_TAG.finditer(body):
        attributes = len(_ATTRIBUTE.findall(tag.group()))
        if attributes > MAX_ATTRIBUTES:
            raise ExtractionFailed(
                "too_complex",
                f"an element of the page has {attributes:,} attributes; more than "
                f"{MAX_ATTRIBUTES:,} are not extracted",
            )
