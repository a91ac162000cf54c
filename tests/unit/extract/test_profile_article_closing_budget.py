"""The closing-block cut (``without_closing``) on a hostile text of a few huge lines: each of
its last lines is measured once, and only up to ``TEASER_MAX_WORDS`` words, whatever its size.

Work is counted, not timed: the calls of the word-count helper, and the memory the cut
allocates (a line split into all of its words costs some 17 times the line; split off at the
limit, about the line once).
"""

from __future__ import annotations

import tracemalloc

import pytest

from core.extract import profile_article
from core.extract.profile_article import TAIL_LINES, TEASER_MAX_WORDS, without_closing

BODY = "The article's own paragraph, which the cut must keep whatever follows it."
#: One huge line: 700,000 two-letter words (2.1 MB; one-letter strings are shared objects in
#: CPython and would cost nothing to split off).
HUGE = "ab " * 700_000


def _hostile(lines: int) -> str:
    return "\n".join([BODY, "Related posts", *([HUGE] * lines)])


def test_each_tail_line_is_measured_once(monkeypatch: pytest.MonkeyPatch) -> None:
    measured: list[int] = []
    short = profile_article._short

    def counted(line: str) -> bool:
        measured.append(len(line))
        return short(line)

    monkeypatch.setattr(profile_article, "_short", counted)
    lines = [BODY, "Related posts", *(f"Teaser title number {n}" for n in range(3 * TAIL_LINES))]
    text = "\n".join(lines)
    # the teaser heading lies before the last lines read: nothing is cut
    assert without_closing(text) == text
    assert len(measured) <= TAIL_LINES  # once per line read, not once per pair of lines


def test_a_few_huge_lines_are_not_split_into_all_their_words() -> None:
    text = _hostile(4)
    tracemalloc.start()
    try:
        result = without_closing(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the huge lines are prose, not teaser titles: the heading over them stays
    assert result == text
    assert len(HUGE.split(maxsplit=TEASER_MAX_WORDS)) == TEASER_MAX_WORDS + 1
    # the text is copied into its lines once (8.4 MB); splitting one huge line into its words
    # alone would allocate some 36 MB
    assert peak < 3 * len(text)
