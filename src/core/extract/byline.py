"""Byline: the author named in a page's markup, trafilatura's fallback without its tree copy.

trafilatura looks for a byline with three XPath searches (``AUTHOR_XPATHS``) on a copy of the
whole tree it first prunes of comments, sidebars, quotes, dates and figures. Here the same
searches run on the tree itself, the pruning is asked only of each candidate's ancestors and
descendants, and a candidate's text is read in time linear in the page's size. The candidates
may come from ``core.extract.markup``'s single pass over the page (``AUTHOR_CUE``,
``IS_AUTHOR``) instead of the XPaths: the same elements in the same order
(tests/unit/extract/test_metadata.py compares them with trafilatura's on every alternative).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim

from core.pins import require

require("trafilatura", trafilatura.__version__, __name__)

logger = logging.getLogger(__name__)

# trafilatura's bounds for an author found in the markup (exclusive).
AUTHOR_CHARS = (2, 120)


def _any_of(test: str, attribute: str, literals: str) -> str:
    """``test(@attribute, 'x') or test(@attribute, 'y') ...`` for XPath's own string tests."""
    return " or ".join(f"{test}(@{attribute}, '{literal}')" for literal in literals.split())


# trafilatura 2.3.1's AUTHOR_XPATHS as predicates, with each ``re:test`` (a call back into
# Python's ``re`` for every element) spelled as the ``contains``/``starts-with`` tests it amounts
# to: every pattern is a list of literals, a ``[Aa]`` class, an optional ``-?`` or a ``^`` anchor.
_AUTHOR_TESTS = (
    """(self::a or self::address or self::div or self::link or self::p or self::span or
    self::strong) and (@rel='author' or @id='author' or @class='author' or
    @itemprop='author name' or rel='me' or @data-testid='AuthorCard' or
    @data-testid='AuthorURL' or """
    + _any_of("contains", "class", "authorname author-name AuthorName authorName")
    + ")",
    """(self::a or self::div or self::h3 or self::h4 or self::p or self::span) and (
    @class='byline' or @class='username' or @class='byl' or @class='BBL' or
    contains(@itemprop, 'author') or """
    + _any_of("contains", "id", "author zuozhe bianji xiaobian")
    + " or "
    + _any_of(
        "contains",
        "class",
        "author channel-name zuozhe bianji xiaobian submitted-by posted-by journalist-name",
    )
    + ")",
    "contains(@data-component, 'Byline') or contains(@itemprop, 'author') or "
    + _any_of("contains", "id", "Author author")
    + " or "
    + _any_of("contains", "class", "Author author screenname writer Byline byline"),
)
#: The same searches over the whole tree: same elements in the same order as trafilatura's.
AUTHOR_XPATHS = [
    etree.XPath(f"//*[{test}]" + ("|//author" if i == 0 else ""))
    for i, test in enumerate(_AUTHOR_TESTS)
]
# Each XPath walks the whole tree with its twenty-odd string tests: ~1.6 ms each on an average
# WCXB page, ~5 ms for the three when no byline is found early. One Python pass instead keeps
# the elements whose attribute values hold a substring that every one of those tests implies
# (``author`` and ``Author`` contain "uthor", ``byline`` "byl", ``username`` and
# ``channel-name`` "name", ``posted-by`` "-by", ...): ~19 elements of ~940 on average, in
# document order, each then asked the exact test (0.8 ms in all on the same pages).
#: A substring of the attribute values of every element an author test accepts.
AUTHOR_CUE = re.compile("uthor|yline|byl|BBL|name|-by|zuozhe|bianji|xiaobian|writer")
#: The tag whose presence turns the one pass back into the XPaths (``rel='me'`` reads a
#: child ``<rel>``'s text, which no attribute value shows).
TEXT_TESTED_TAG = "rel"
#: Each author test asked of one element.
IS_AUTHOR = [
    etree.XPath(f"self::*[{test}]" + ("|self::author" if i == 0 else ""))
    for i, test in enumerate(_AUTHOR_TESTS)
]
# Comments, sidebars, quotes, dates, figures: trafilatura prunes them from a copy of the whole
# tree before looking for a byline; here they are asked only of a byline candidate's ancestors
# and descendants, which gives the same answer.
DISCARD_TEST = (
    "[(self::a or self::div or self::section or self::span) and (@id='comments' or "
    "@class='comments' or @class='title' or @class='date' or "
    + _any_of("starts-with", "id", "comments")
    + " or "
    + _any_of("contains", "id", "commentlist comment-list ProductReviews")
    + " or "
    + _any_of("starts-with", "class", "Comments comments")
    + " or "
    + _any_of(
        "contains",
        "class",
        "commentlist comments-list sidebar is-hidden quote embedly-instagram article-share "
        "article-support print category meta-date meta-reviewer",
    )
    + " or contains(@data-component, 'Figure')) or self::time or self::figure]"
)
DISCARDED_AROUND = etree.XPath("ancestor-or-self::*" + DISCARD_TEST)
_IS_DISCARDED = etree.XPath("self::*" + DISCARD_TEST)


def byline_text(root: HtmlElement, known: dict[HtmlElement, str | None]) -> str | None:
    """``trim(" ".join(root.itertext()))`` once the discarded descendants are removed, or None
    when that is too long to be a byline (``AUTHOR_CHARS``).

    trafilatura joins every text of a candidate's subtree and then tests the length, so 250
    nested ``<div class="author">`` around 20,000 spans took minutes: each candidate read the
    whole rest of the page. Here a subtree's text is built from its children's (``trim`` of
    pieces joined by spaces is the pieces' ``trim``s joined by spaces, empty ones left out),
    each element's is kept in ``known`` for the candidates that share it, and the walk stops
    as soon as the text is too long: an ancestor's text holds its descendant's, so every
    element still open is too long as well. Every element is read at most once per page.
    """
    if root in known:
        return known[root]
    limit = AUTHOR_CHARS[1]
    # each open element, its children still to read, its pieces so far and their length
    stack: list[tuple[HtmlElement, Iterator[HtmlElement], list[str], list[int]]] = []

    def enter(element: HtmlElement) -> None:
        text = trim(element.text) if element.text else ""
        stack.append((element, iter(element), [text] if text else [], [len(text)]))

    enter(root)
    while stack:
        element, children, pieces, length = stack[-1]
        if length[0] >= limit:  # too long here, so in every element still open
            for open_element, *_ in stack:
                known[open_element] = None
            return None
        child = next(children, None)
        if child is None:
            stack.pop()
            value = " ".join(pieces)
            known[element] = value
            if not stack:
                return value
            parent_pieces, parent_length = stack[-1][2], stack[-1][3]
            for piece in (value, trim(element.tail) if element.tail else ""):
                if piece:
                    parent_length[0] += len(piece) + bool(parent_pieces)
                    parent_pieces.append(piece)
            continue
        if _IS_DISCARDED(child):
            content: str | None = ""
        elif child in known:
            content = known[child]
        else:
            enter(child)
            continue
        if content is None:
            length[0] = limit
            continue
        for piece in (content, trim(child.tail) if child.tail else ""):
            if piece:
                length[0] += len(piece) + bool(pieces)
                pieces.append(piece)
    return None  # pragma: no cover (the root's value is returned above)


def markup_author(
    tree: HtmlElement, bylines: Sequence[Sequence[HtmlElement]] | None = None
) -> str | None:
    """trafilatura's author fallback (bylines in the markup), without copying the tree, in
    time linear in the page's size (see ``byline_text``).

    ``bylines``: what each of ``AUTHOR_XPATHS`` finds, when a pass over the page already
    found it (``core.extract.markup``); else the XPaths run here.
    """
    known: dict[HtmlElement, str | None] = {}
    for candidates in bylines if bylines is not None else [xp(tree) for xp in AUTHOR_XPATHS]:
        for element in candidates:
            if DISCARDED_AROUND(element):
                continue
            content = byline_text(element, known)
            if content and AUTHOR_CHARS[0] < len(content) < AUTHOR_CHARS[1]:
                return normalize_authors(None, content)
    return None
