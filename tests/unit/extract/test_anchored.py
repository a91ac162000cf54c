"""Anchored searches find what ``re`` finds, in the same order (core.extract.anchored)."""

from __future__ import annotations

import random
import re

import pytest
from htmldate.core import TIMESTAMP_LOOSE_PATTERN, TIMESTAMP_PATTERN
from htmldate.extractors import DATE_CORE_PATTERN

from core.extract.anchored import AnchoredPattern
from core.extract.dates import DATE_CORES, LOOSE_TIMESTAMPS, TIMESTAMPS

PAGES = [
    "",
    "no digits here",
    '<a href="/2020/05/12/post.html">v1.2.3</a> 12/31/99 and 1.2.2020.5.6',
    "11.22.3333.44.5555/66/77 1.1.11 123456.7.89 0.0.00",
    "<time>2021-03-04T05:06:07Z</time> 2021-3-4 12:00:00 1999-12-31 23:59:59+01:00",
    "x-2020-01-02-2021-02-03 05:06:07 --2019-9-9T10:11:12.5-0300",
    '{"date": "2024-13-45"} 2030-1-1 20301-1-1T00:00:00 1989-01-01 19999-1-1',
]
ALPHABET = "0123456789./-: Tx"


@pytest.mark.parametrize(
    ("anchored", "pattern"),
    [
        (DATE_CORES, DATE_CORE_PATTERN),
        (TIMESTAMPS, TIMESTAMP_PATTERN),
        (LOOSE_TIMESTAMPS, TIMESTAMP_LOOSE_PATTERN),
    ],
)
def test_the_same_matches_as_re(anchored: AnchoredPattern, pattern: re.Pattern[str]) -> None:
    shuffled = random.Random(7)
    texts = PAGES + [
        "".join(shuffled.choice(ALPHABET) for _ in range(shuffled.randrange(400)))
        for _ in range(3000)
    ]
    for text in texts:
        expected = [(m.span(), m.groups()) for m in pattern.finditer(text)]
        assert [(m.span(), m.groups()) for m in anchored.finditer(text)] == expected, text
        first = pattern.search(text)
        found = anchored.search(text)
        assert (found and found.span()) == (first and first.span()), text


def test_a_match_ends_where_the_next_may_begin() -> None:
    """After a match, the search goes on from its end, not from the anchor that found it."""
    anchored = AnchoredPattern(re.compile("[0-9]-[0-9]"), [re.compile("-")], reach=1)
    assert [m.group() for m in anchored.finditer("1-2-3 4-5")] == ["1-2", "4-5"]
