"""core.extract.literals.any_of finds the same occurrences as a plain alternation."""

from __future__ import annotations

import re

import pytest
from htmldate.core import is_date_candidate
from lxml.html import fragment_fromstring  # type: ignore[import-untyped]

from core.extract.dates import DATE_CUE, _literals
from core.extract.literals import any_of

WORDS = ["date", "Date", "datum", "byl", "byline", "fa-c", "fa-clock-o", "a.b", "x(y", "meta"]
SUBJECTS = [
    "post-date",
    "Datum",
    "bylin",
    "byl",
    "fa-calendar",
    "a-b",
    "a.b",
    "x(y)",
    "xy",
    "METADATA",
    "",
    "dat um",
    "fa-clock-o entry",
]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_trie_matches_where_the_alternation_does(subject: str) -> None:
    plain = re.compile("|".join(re.escape(word) for word in WORDS))
    trie = any_of(WORDS)
    found, expected = trie.search(subject), plain.search(subject)
    assert (found is None) == (expected is None)
    if found and expected:
        assert found.start() == expected.start()


def test_empty_literals_are_refused() -> None:
    with pytest.raises(ValueError, match="empty literal"):
        any_of(["date", ""])
    with pytest.raises(ValueError, match="no literals"):
        any_of([])


def test_cues_are_read_off_htmldates_patterns() -> None:
    assert _literals("[Mm]eta|time|fa-clock-o") == ["Meta", "meta", "time", "fa-clock-o"]
    with pytest.raises(ValueError, match="not a literal cue"):
        _literals("time|pub.*lish")


@pytest.mark.parametrize(
    "attributes",
    [
        'class="entry-Date"',
        'id="datum-x"',
        'class="postMeta"',
        'itemprop="datePublished"',
        'class="byline"',
        'class="fa-calendar"',
        'id="footer-info-lastmod"',
        'class="parution"',
    ],
)
def test_every_date_candidate_holds_a_cue(attributes: str) -> None:
    element = fragment_fromstring(f"<div {attributes}>x</div>")
    assert is_date_candidate(element)
    assert DATE_CUE.search(" ".join(element.values()))


def test_an_element_without_a_cue_is_no_date_candidate() -> None:
    element = fragment_fromstring('<div class="content body" id="main">x</div>')
    assert not DATE_CUE.search(" ".join(element.values()))
    assert not is_date_candidate(element)
