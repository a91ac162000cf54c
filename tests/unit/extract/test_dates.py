"""core.extract.dates gives htmldate's find_date result, reading the tree it is handed in place."""

from __future__ import annotations

import gzip
import json
import time
from copy import deepcopy
from pathlib import Path

import pytest
from htmldate import find_date
from htmldate.core import date_candidates
from htmldate.extractors import discard_unwanted
from htmldate.settings import CLEANING_LIST
from htmldate.utils import clean_html
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract.charset import decode_html
from core.extract.dates import declared_date, markup_candidates, markup_date
from core.extract.loading import load_html
from core.extract.markup import scan_markup
from core.extract.text import main_text

BENCH_PAGES = Path(__file__).resolve().parents[3] / "bench" / "data" / "wcxb-dev-articles"
ARTICLE = "<p>" + "Words of the article body, long enough to be a paragraph. " * 5 + "</p>"
# One page per step of the search, in the order the steps run, with the date each gives.
PAGES = {
    "url": ("", "https://news.example/2021/03/04/story.html", "2021-03-04"),
    "meta header": (
        '<meta property="article:published_time" content="2020-05-06T10:00:00Z">',
        None,
        "2020-05-06",
    ),
    "json-ld": (
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2019-07-08"}</script>',
        None,
        "2019-07-08",
    ),
    "abbr": ('<abbr class="published" title="2018-09-10">Sep 10</abbr>', None, "2018-09-10"),
    "date class": ('<div class="post-date">Posted on 11 October 2017</div>', None, "2017-10-11"),
    "time element": ('<time datetime="2016-12-13" class="entry">Dec 13</time>', None, "2016-12-13"),
    "timestamp in markup": ('<div data-x="2015-02-14 08:30:00">x</div>', None, "2015-02-14"),
    "loose date in text": ("<p>Filed 2014-03-15 by the desk.</p>", None, "2014-03-15"),
    "no date": ("<p>Nothing dated here at all.</p>", None, None),
}


def publication_date(tree: HtmlElement, url: str | None) -> str | None:
    return declared_date(tree, url) or markup_date(tree)


def _today() -> str:
    return time.strftime("%Y-%m-%d")


def _htmldate(html: str, url: str | None) -> str | None:
    tree = load_html(html)
    assert tree is not None
    found = find_date(tree, url=url, original_date=True, extensive_search=False, max_date=_today())
    return str(found) if found else None


def _ours(html: str, url: str | None) -> str | None:
    tree = load_html(html)
    assert tree is not None
    return publication_date(tree, url)


@pytest.mark.parametrize(("markup", "url", "date"), PAGES.values(), ids=PAGES.keys())
def test_each_step_finds_what_htmldate_finds(
    markup: str, url: str | None, date: str | None
) -> None:
    html = f"<html><head><title>A story</title></head><body>{markup}{ARTICLE}</body></html>"
    assert _htmldate(html, url) == date
    assert _ours(html, url) == date


def test_the_url_date_is_found_first() -> None:
    html = f"<html><body>{PAGES['meta header'][0]}{ARTICLE}</body></html>"
    assert _ours(html, PAGES["url"][1]) == "2021-03-04"


def test_a_date_after_today_is_not_a_publication_date() -> None:
    html = f'<html><body><div class="date">Published 2999-01-01</div>{ARTICLE}</body></html>'
    assert _ours(html, None) is None


def _bench_pages() -> list[Path]:
    return sorted((BENCH_PAGES / "html").glob("*.html.gz"))


def test_the_benchmark_pages_get_htmldates_date() -> None:
    pages = _bench_pages()
    assert len(pages) > 150, "the repo's benchmark subset is missing"
    dated = 0
    for page in pages:
        truth = json.loads(
            (BENCH_PAGES / "ground-truth" / page.name.replace(".html.gz", ".json")).read_text()
        )
        url = truth.get("url") or None
        html = decode_html(gzip.decompress(page.read_bytes())).text
        tree = load_html(html)
        if tree is None:
            continue
        expected = find_date(
            tree, url=url, original_date=True, extensive_search=False, max_date=_today()
        )
        assert publication_date(deepcopy(tree), url) == expected, page.name
        dated += expected is not None
    assert dated > len(pages) // 2


def _paths(tree: HtmlElement, elements: list[HtmlElement]) -> list[str]:
    document = tree.getroottree()
    return [document.getpath(element) for element in elements]


def test_the_byline_pass_finds_htmldates_date_candidates() -> None:
    """Candidates gathered before trafilatura prunes the page, then kept if still in it, are
    the ones htmldate's own search finds afterwards."""
    checked = 0
    for page in _bench_pages():
        html = decode_html(gzip.decompress(page.read_bytes())).text
        scanned_tree, searched_tree = load_html(html), load_html(html)
        if scanned_tree is None or searched_tree is None:
            continue
        scanned = scan_markup(scanned_tree, with_dates=True).date_candidates
        if scanned is None:  # a page with a <rel> element: no shared pass
            continue
        for tree in (scanned_tree, searched_tree):
            main_text(tree, None)
            discard_unwanted(clean_html(tree, CLEANING_LIST))
        kept = markup_candidates(scanned_tree, scanned)
        assert _paths(scanned_tree, kept) == _paths(
            searched_tree, date_candidates(searched_tree, False)
        ), page.name
        checked += bool(kept)
    assert checked > 100
