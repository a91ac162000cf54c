"""Markup scan: one pass over a page's elements for both the byline and the date searches.

The byline search (``core.extract.byline``) and htmldate's markup date search
(``core.extract.dates``) each read a few dozen elements picked by their attribute values. One
pass over the ~940 elements of an average WCXB page keeps the elements either may want (cheap
substring cues), before trafilatura prunes the tree; each search then asks its exact tests of
those alone. This module only reads the two searches' cues: neither search knows the other.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract import byline, dates
from core.extract.loading import TOP_LEVEL

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MarkupScan:
    """What one pass over a page's elements found for the markup searches."""

    bylines: list[list[HtmlElement]]  # what each of trafilatura's byline XPaths finds
    date_candidates: list[HtmlElement] | None  # what htmldate's markup search reads, if asked


def scan_markup(tree: HtmlElement, with_dates: bool = False) -> MarkupScan:
    """Byline candidates (and, ``with_dates``, htmldate's date candidates) in one pass.

    Each distinct attribute string is searched for a cue once: pages repeat their class names
    (cards, list items, grid cells), and a dictionary lookup costs a tenth of a search."""
    maybe: list[HtmlElement] = []
    maybe_dates: list[HtmlElement] = []
    always, cued = (
        (dates.ALWAYS_READ_TAGS, dates.CUED_TAGS) if with_dates else (frozenset(), frozenset())
    )
    author_cue, date_cue = byline.AUTHOR_CUE.search, dates.DATE_CUE.search  # hot loop: locals
    author_cued: dict[str, bool] = {}  # each attribute string's answer, searched once
    date_cued: dict[str, bool] = {}
    text_tested = byline.TEXT_TESTED_TAG
    # ``//`` searches the whole document: above ``tree`` when lxml handed back the body's only
    # child, and beside it when a broken page left several top-level elements.
    for top in TOP_LEVEL(tree):
        for element in top.iter(etree.Element):
            tag = element.tag
            if tag == text_tested:  # an author test reads this element's text: the XPaths
                return MarkupScan([xpath(tree) for xpath in byline.AUTHOR_XPATHS], None)
            values = " ".join(element.values())
            if values:
                cue = author_cued.get(values)
                if cue is None:
                    cue = author_cued[values] = author_cue(values) is not None
                if cue or tag == "author":
                    maybe.append(element)
                if tag in always:
                    maybe_dates.append(element)
                elif tag in cued:
                    cue = date_cued.get(values)
                    if cue is None:
                        cue = date_cued[values] = date_cue(values) is not None
                    if cue:
                        maybe_dates.append(element)
                continue
            if tag == "author":
                maybe.append(element)
            if tag in always:
                maybe_dates.append(element)
    return MarkupScan(
        [[element for element in maybe if test(element)] for test in byline.IS_AUTHOR],
        [element for element in maybe_dates if dates.is_markup_candidate(element)]
        if with_dates
        else None,
    )
