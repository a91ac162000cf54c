"""Publication date of a page, with htmldate's building blocks, on a tree we may spend.

``htmldate.find_date`` takes a deep copy of a tree it is handed before it prunes it for the
markup search (a quarter of a millisecond on an average WCXB page that gets that far). The
extractor hands over the tree once trafilatura is done with it, so the steps below are
``find_date``'s in htmldate 1.11.0 (pinned) for ``original_date=True,
extensive_search=False`` — the same order, the same helpers — on that tree itself.
tests/unit/test_dates.py checks the result against ``find_date`` on every sample page.
"""

from __future__ import annotations

import time
from contextlib import suppress

from htmldate.core import (
    TIMESTAMP_LOOSE_PATTERN,
    TIMESTAMP_PATTERN,
    date_candidates,
    examine_abbr_elements,
    examine_elements,
    examine_header,
    examine_time_elements,
    serialize,
)
from htmldate.extractors import (
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


def _options() -> Extractor:
    """Publication (not last-modified) dates, no later than today, in ``YYYY-MM-DD``."""
    return Extractor(
        extensive=False,
        max=get_max_date(time.strftime("%Y-%m-%d")),
        min=get_min_date(None),
        original=True,
        format="%Y-%m-%d",
    )


def publication_date(tree: HtmlElement, url: str | None) -> str | None:
    """The page's publication date as ``YYYY-MM-DD``, or None; prunes ``tree`` in place."""
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
    if found is not None:
        return str(found)
    with suppress(ValueError):  # lxml refuses some control characters: search as it is
        tree = discard_unwanted(clean_html(tree, CLEANING_LIST))
    found = (
        examine_elements(date_candidates(tree, False), options)
        or examine_elements(tree.xpath(".//title|.//h1"), options)
        or examine_time_elements(tree, options)
    )
    if found is not None:
        return str(found)
    markup = serialize(tree)
    found = (
        pattern_search(markup, TIMESTAMP_PATTERN, options)
        or img_search(tree, options)
        or idiosyncrasies_search(markup, options)
    )
    if found is not None:
        return str(found)
    # no free-text search (``extensive_search=False``): a bare date is taken from the text only
    clean_html(tree, ["script", "style"])
    found = pattern_search(" ".join(tree.itertext()), TIMESTAMP_LOOSE_PATTERN, options)
    return str(found) if found else None
