"""Dates: a page's publication date, with htmldate's building blocks, on a tree we may spend.

``htmldate.find_date`` takes a deep copy of a tree it is handed before it prunes it for the
markup search (a quarter of a millisecond on an average WCXB page that gets that far). The
extractor hands over the tree once trafilatura is done with it, so the steps below are
``find_date``'s in htmldate 1.11.0 (pinned) for ``original_date=True,
extensive_search=False`` — the same order, the same helpers — on that tree itself.
tests/unit/extract/test_dates.py checks the result against ``find_date`` on every sample page.

These are htmldate's internals, not its API: htmldate is pinned (``core.pins``, checked at
import), its cue patterns are checked to be plain literals at import (``_literals``), and each
step's answer is checked to be a date string or nothing (``InternalsChanged`` otherwise).

Nothing here knows the rest of the extraction: ``core.extract.markup`` reads the cues below in
its one pass over the page, and ``core.extract.article`` calls the two searches.
"""

from __future__ import annotations

import logging
import re
import time
from contextlib import suppress
from typing import Any

import htmldate
from htmldate.core import (
    ALWAYS_TAGS,
    CLASS_CUES,
    ID_CLASS_CUES,
    TIMESTAMP_LOOSE_PATTERN,
    TIMESTAMP_PATTERN,
    date_candidates,
    examine_abbr_elements,
    examine_elements,
    examine_header,
    examine_time_elements,
    is_date_candidate,
    serialize,
)
from htmldate.extractors import (
    FAST_TAGS,
    discard_unwanted,
    extract_url_date,
    idiosyncrasies_search,
    img_search,
    json_search,
    pattern_search,
)
from htmldate.settings import CLEANING_LIST
from htmldate.utils import Extractor, clean_html
from htmldate.validators import get_max_date, get_min_date
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract.literals import any_of
from core.pins import InternalsChanged, require

require("htmldate", htmldate.__version__, __name__)

logger = logging.getLogger(__name__)


def _literals(pattern: str) -> list[str]:
    """The strings an alternation of literals (each may open with a ``[Xx]`` class) matches;
    anything else in htmldate's cues fails here, at import, rather than be missed."""
    literals = []
    for branch in pattern.split("|"):
        cased = re.fullmatch(r"\[(\w)(\w)\](\w[\w-]*)", branch)
        if cased:
            literals += [cased[1] + cased[3], cased[2] + cased[3]]
        elif re.fullmatch(r"\w[\w-]*", branch):
            literals.append(branch)
        else:
            raise ValueError(f"not a literal cue: {branch!r}")
    return literals


# What htmldate's markup search reads: every element of ALWAYS_READ_TAGS, and those of
# CUED_TAGS whose id, class or itemprop passes ``is_date_candidate`` — which all hold a match of
# DATE_CUE ("date" or "datum" once a "D" is lower-cased, or one of its two patterns). A pass
# over the page made for another reason keeps the elements that hold a cue, in document
# order, and ``is_markup_candidate`` then decides on those alone.
ALWAYS_READ_TAGS = ALWAYS_TAGS
CUED_TAGS = frozenset(FAST_TAGS)
DATE_CUE = any_of(
    [
        "date",
        "Date",
        "datum",
        "Datum",
        *_literals(ID_CLASS_CUES.pattern),
        *_literals(CLASS_CUES.pattern),
    ]
)


def _date(found: Any) -> str | None:
    """An htmldate step's answer: a date string or None, else ``InternalsChanged``."""
    if found is None or isinstance(found, str):
        return found
    raise InternalsChanged(
        f"an htmldate step answered a {type(found).__name__}, not a date string: "
        f"check {__name__} against the installed htmldate"
    )


def _options() -> Extractor:
    """Publication (not last-modified) dates, no later than today, in ``YYYY-MM-DD``."""
    return Extractor(
        extensive=False,
        max=get_max_date(time.strftime("%Y-%m-%d")),
        min=get_min_date(None),
        original=True,
        format="%Y-%m-%d",
    )


def declared_date(tree: HtmlElement, url: str | None) -> str | None:
    """The date the page declares: in its URL, ``<meta>`` tags, JSON-LD or ``<abbr>`` titles."""
    options = _options()
    if url is None:
        link = tree.find('.//link[@rel="canonical"]')
        url = link.get("href") if link is not None else None
    found = (
        extract_url_date(url, options)
        or examine_header(tree, options)
        or json_search(tree, options)
        or examine_abbr_elements(tree, options)
    )
    return _date(found)


def is_markup_candidate(element: HtmlElement) -> bool:
    """Whether htmldate's markup search reads ``element`` (one of the tags above)."""
    return element.tag in ALWAYS_READ_TAGS or bool(is_date_candidate(element))


def _inside(element: HtmlElement, tree: HtmlElement, known: dict[HtmlElement, bool]) -> bool:
    """Whether ``tree`` is an ancestor of ``element``; ``known``: the answer for each element
    already walked through (candidates share most of their ancestors, so each is read once)."""
    walked = []
    node = element.getparent()
    while node is not None and node is not tree and node not in known:
        walked.append(node)
        node = node.getparent()
    inside = node is tree or (node is not None and known[node])
    for ancestor in walked:
        known[ancestor] = inside
    return inside


def markup_candidates(tree: HtmlElement, scanned: list[HtmlElement] | None) -> list[HtmlElement]:
    """What htmldate's ``date_candidates`` finds in ``tree`` (pruned since): the ``scanned``
    elements (the page's markup candidates, in document order) still inside it, or, when
    nothing was scanned, htmldate's own search of the tree."""
    if scanned is None:
        return list(date_candidates(tree, False))
    known: dict[HtmlElement, bool] = {}
    return [element for element in scanned if _inside(element, tree, known)]


def markup_date(tree: HtmlElement, scanned: list[HtmlElement] | None = None) -> str | None:
    """A date in the page's markup or text; prunes ``tree`` in place.

    ``scanned``: the page's markup candidates, found before any pruning by the pass over the
    page that also serves the byline search (``core.extract.markup``), which spares this
    search a pass of its own.
    """
    options = _options()
    with suppress(ValueError):  # lxml refuses some control characters: search as it is
        tree = discard_unwanted(clean_html(tree, CLEANING_LIST))
    found = (
        examine_elements(markup_candidates(tree, scanned), options)
        or examine_elements(tree.xpath(".//title|.//h1"), options)
        or examine_time_elements(tree, options)
    )
    if found is not None:
        return _date(found)
    markup = serialize(tree)
    found = (
        pattern_search(markup, TIMESTAMP_PATTERN, options)
        or img_search(tree, options)
        or idiosyncrasies_search(markup, options)
    )
    if found is not None:
        return _date(found)
    # no free-text search (``extensive_search=False``): a bare date is taken from the text only
    clean_html(tree, ["script", "style"])
    found = pattern_search(" ".join(tree.itertext()), TIMESTAMP_LOOSE_PATTERN, options)
    return _date(found) or None
