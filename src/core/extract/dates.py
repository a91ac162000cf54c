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

htmldate's searches of the serialised page and of its text that open with a digit class run
through ``core.extract.anchored`` (tried only near a separator): the same matches, a third of
the time or less; ``idiosyncrasies_search`` is called only where it can find something.

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
    DATE_CORE_PATTERN,
    FAST_TAGS,
    TEXT_PATTERNS,
    TIME_TZ_RE,
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

from core.extract.anchored import AnchoredPattern
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


# htmldate's three searches of the serialised page and of its text, each led by a digit class
# that ``re`` tries at every digit (``core.extract.anchored``): every ``DATE_CORE_PATTERN``
# match (``1.2.2020``, ``12/31/99``) holds its first ``.`` or ``/`` within 4 characters of its
# start, and every timestamp its first ``-`` right after its 4-digit year. Checked at import:
# another pattern, another anchor.
_YMD = "((?:199[0-9]|20[0-3][0-9])-[0-1]?[0-9]-[0-3]?[0-9])"
_EXPECTED_PATTERNS = {
    DATE_CORE_PATTERN: "[0-9]{1,4}[./][0-9]{1,2}[./][0-9]{2,4}",
    TIMESTAMP_PATTERN: f"{_YMD}({TIME_TZ_RE})",
    TIMESTAMP_LOOSE_PATTERN: f"{_YMD}({TIME_TZ_RE})?",
}
for _pattern, _expected in _EXPECTED_PATTERNS.items():
    if _pattern.pattern != _expected or _pattern.flags != re.UNICODE:
        raise InternalsChanged(f"htmldate's pattern {_pattern.pattern!r} changed: check {__name__}")
DATE_CORES = AnchoredPattern(
    DATE_CORE_PATTERN,
    [re.compile(r"\.(?=[0-9]{1,2}[./][0-9]{2})"), re.compile(r"/(?=[0-9]{1,2}[./][0-9]{2})")],
    reach=4,
)
_TIME_TZ_START = "[T ][0-9]{2}:[0-9]{2}:[0-9]{2}"
TIMESTAMPS = AnchoredPattern(
    TIMESTAMP_PATTERN,
    [re.compile(f"-(?=[0-1]?[0-9]-[0-3]?[0-9]{_TIME_TZ_START})")],
    reach=4,
)
LOOSE_TIMESTAMPS = AnchoredPattern(
    TIMESTAMP_LOOSE_PATTERN, [re.compile("-(?=[0-1]?[0-9]-[0-3]?[0-9])")], reach=4
)
# ``idiosyncrasies_search`` reads the text patterns around the first this many date cores
# (htmldate 1.11.0), each within this many characters of the core
IDIOSYNCRASY_CORES, IDIOSYNCRASY_WINDOW = 1000, 60


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


def _pattern_search(text: str, anchored: AnchoredPattern, options: Extractor) -> str | None:
    """htmldate's ``pattern_search`` of ``text``, asked only when the pattern matches (it
    has no anchors or look-behinds, so it finds the same match in what is left of ``text``)."""
    found = anchored.search(text)
    if found is None:
        return None
    return _date(pattern_search(text[found.start() :], anchored.pattern, options))


def _idiosyncrasies(markup: str, options: Extractor) -> str | None:
    """htmldate's ``idiosyncrasies_search``, asked only when it can find something: when a
    text pattern lies around one of the first date cores or there are more cores than it
    reads (where it searches the whole page)."""
    for count, core in enumerate(DATE_CORES.finditer(markup)):
        if count == IDIOSYNCRASY_CORES or TEXT_PATTERNS.search(
            markup, max(0, core.start() - IDIOSYNCRASY_WINDOW), core.end() + IDIOSYNCRASY_WINDOW
        ):
            return _date(idiosyncrasies_search(markup, options))
    return None


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
        _pattern_search(markup, TIMESTAMPS, options)
        or img_search(tree, options)
        or _idiosyncrasies(markup, options)
    )
    if found is not None:
        return _date(found)
    # no free-text search (``extensive_search=False``): a bare date is taken from the text only
    clean_html(tree, ["script", "style"])
    found = _pattern_search(" ".join(tree.itertext()), LOOSE_TIMESTAMPS, options)
    return _date(found) or None
