"""The byline search reads each element at most once and finds what trafilatura's search does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bench.extraction_digest import SHARED, shared_pages
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from tests.integration import hostile_pages
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim

from core.extract import byline
from core.extract.byline import (
    AUTHOR_CHARS,
    AUTHOR_XPATHS,
    DISCARD_TEST,
    DISCARDED_AROUND,
    markup_author,
)
from core.extract.charset import decode_html
from core.extract.loading import load_html
from core.extract.markup import scan_markup

_DISCARDED_BELOW = etree.XPath("descendant::*" + DISCARD_TEST)


def _texts(element: HtmlElement, discarded: set[HtmlElement]) -> Iterator[str]:
    if element.text:
        yield element.text
    for child in element:
        if child not in discarded:
            yield from _texts(child, discarded)
        if child.tail:
            yield child.tail


def reference_author(tree: HtmlElement) -> str | None:
    """The search as it was (trafilatura's XPaths, each candidate's whole subtree read): the
    behaviour to keep."""
    for candidates in [xpath(tree) for xpath in AUTHOR_XPATHS]:
        for element in candidates:
            if DISCARDED_AROUND(element):
                continue
            content = trim(" ".join(_texts(element, set(_DISCARDED_BELOW(element)))))
            if content and AUTHOR_CHARS[0] < len(content) < AUTHOR_CHARS[1]:
                return normalize_authors(None, content)
    return None


PAGES = {
    "nested-inner-wins": '<div class="author"><div class="author">Jo Grower</div>'
    + "<span>x</span>" * 200
    + "</div>",
    "discarded-tail-kept": '<p class="byline">By <span class="date">1 May</span> Ann Lee</p>',
    "discarded-ancestor": '<div class="sidebar"><span class="author">Not Me</span></div>'
    '<span class="author">Bo Chan</span>',
    "whitespace": '<span class="author">\n  Jo \t<b> Grower </b>\n</span>',
    "too-short-then-ok": '<span class="author">J</span><a rel="author">Mia Wong</a>',
    "long-then-short": '<div class="author">'
    + "word " * 30
    + '<span class="author">Eve Ray</span></div>',
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_same_author_as_the_reference(name: str) -> None:
    html = f"<html><body><article>{PAGES[name]}<p>body text</p></article></body></html>"
    tree = load_html(html)
    assert markup_author(tree, scan_markup(tree).bylines) == reference_author(load_html(html))


def test_nested_author_divs_read_each_element_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """250 nested ``<div class="author">`` around 20,000 spans took minutes; each element is
    now asked the discard test at most once, whatever the nesting."""
    tree = load_html(hostile_pages.nested_authors().decode())
    elements = sum(1 for _ in tree.iter())
    asked: list[HtmlElement] = []
    test = byline._IS_DISCARDED

    def counting(element: HtmlElement) -> object:
        asked.append(element)
        return test(element)

    monkeypatch.setattr(byline, "_IS_DISCARDED", counting)
    assert markup_author(tree, scan_markup(tree).bylines) is None  # every one far too long
    assert len(asked) == len(set(asked)) < elements


@pytest.mark.skipif(not (SHARED / "wcxb-dev-articles").is_dir(), reason="no ../shared/bench")
def test_same_author_as_the_reference_on_every_shared_page() -> None:
    differ = []
    for name, _, body in shared_pages():
        decoded = decode_html(body)
        new, old = load_html(decoded.text), load_html(decoded.text)
        if new is not None and markup_author(new, scan_markup(new).bylines) != reference_author(
            old
        ):
            differ.append(name)
    assert differ == []
