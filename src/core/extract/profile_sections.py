"""Service and documentation profiles: every section of the main region, not only trafilatura's
best block.

A service or product-marketing page is a stack of short sections — a hero line, a feature grid,
steps, a pricing table, FAQ items, testimonials — each a heading and a sentence or two.
trafilatura's link-density and length heuristics keep the longest run of paragraphs and drop
most of the rest (on the 165 WCXB service pages its precision is 0.87 and its recall 0.74).

``section_lines`` reads the page's main region (``<main>`` or ``role="main"`` when it holds a fair
share of the page's text, else ``<body>``) in document order, one line per block element, and
leaves out what is not content: scripts, styles, forms' controls, ``<nav>``/``<footer>``/
``<aside>``, hidden elements, elements whose ARIA role is navigation, banner, contentinfo,
dialog, search or complementary, and elements whose class or id names navigation, menus, dropdowns,
footers, cookie or consent banners (``cookie``, ``consent``, ``gdpr``, ``onetrust`` anywhere in
the value: ``CybotCookiebotDialog``), breadcrumbs, sidebars, pop-ups, newsletters, sharing
widgets or comments — unless such an element holds most of the region's text (a page wrapper
that happens to carry such a class is not boilerplate). Repeated lines (carousels, mobile and
desktop copies of one block) are kept once, and the text starts at the page's headline (its
first ``<h1>``) when the walk kept it. A table row is one line, its cells apart; a ``<pre>``
block keeps its lines and indentation. On documentation pages "edit this page" and feedback
links and prev/next pagers are left out too (sidebars and navigation already are).

``sections_or_main`` takes that text only when it is the more complete of the two: it covers
most of trafilatura's words and has at least as many, or when trafilatura's text is the page's
chrome (``chrome_share``: half its words or more in ``<nav>``, ``<template>``, dialogs, pop-ups
or consent banners); otherwise trafilatura's text stands (a page whose structure defeats the
walk loses nothing).

The walk is one linear pass (``lxml.etree.iterwalk``, skipping dropped subtrees), and an
element's text is measured (to keep a boilerplate-named wrapper) at most ``MAX_MEASURES``
times a page, so a hostile page of nested wrappers costs no more than a few passes.
"""

from __future__ import annotations

import logging
import re

from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract.text import main_text
from core.extract.textstats import folded

logger = logging.getLogger(__name__)


def _tags(names: str) -> frozenset[str]:
    return frozenset(names.split())


_BLOCK = _tags(
    "p div section article main header h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table tr "
    "thead tbody tfoot caption blockquote pre figure figcaption details summary br hr address "
    "fieldset form"
)
_CELLS = frozenset({"td", "th"})
#: Never content: their text is markup, controls, media or navigation.
_DROP = _tags(
    "script style noscript template svg nav footer aside iframe button select option input "
    "textarea label dialog head canvas object embed video audio map math"
)
#: Dropped unless they hold most of the region's text (ASP.NET pages wrap the whole page in one
#: ``<form>``). A ``<header>`` stays: a hero is often one; a site header is named or has a role.
_SOFT = frozenset({"form"})
_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "dialog", "alertdialog", "search", "complementary"}
)
_BOILER_WORDS = frozenset(
    {
        "nav",
        "navbar",
        "navigation",
        "menu",
        "megamenu",
        "dropdown",
        "footer",
        "cookie",
        "cookies",
        "consent",
        "gdpr",
        "breadcrumb",
        "breadcrumbs",
        "sidebar",
        "modal",
        "popup",
        "newsletter",
        "social",
        "share",
        "sharing",
        "skip",
        "offcanvas",
        "drawer",
        "comment",
        "comments",
    }
)
#: Also left out of documentation: "edit this page" and feedback links, prev/next pagers. (A
#: ``toc`` class is not: a chapter's contents are its index page's text; dropping them lowered
#: the even half of the WCXB documentation pages, 0.950 → 0.944.)
_DOCS_WORDS = _BOILER_WORDS | {"pagination", "pager", "prev", "next", "edit", "feedback"}
#: A cookie or consent banner, named so anywhere in a class or id (consent managers write
#: ``cookieBanner``, ``CybotCookiebotDialog``, ``onetrust-banner-sdk``, which the word split
#: misses; the product profile's dialog names).
_BANNER_NAMES = re.compile(r"cookie|consent|gdpr|onetrust")
_CLASS_TOKENS = re.compile(r"[\s_]+")
_WORDS = re.compile(r"\w+")
#: A boilerplate-named element holding more than this share of the region's text is kept.
WRAPPER_SHARE = 0.5
#: ``<main>`` is the region when it holds at least this share of ``<body>``'s text (below it,
#: a ``<main>`` around one widget left the rest of the page out; 0.3 kept every real one).
MAIN_SHARE = 0.3
#: The section text replaces trafilatura's when it holds at least this share of its words
#: (lower let a walk that missed the content through a page with markup it misreads).
COVERAGE = 0.8
#: Element texts measured per page at most (the real pages of the WCXB development set need
#: under 40); beyond it a boilerplate-named element is dropped without measuring.
MAX_MEASURES = 200


def _named_boilerplate(element: HtmlElement, words: frozenset[str]) -> bool:
    for attribute in ("class", "id"):
        value = element.get(attribute)
        if not value:
            continue
        value = value.lower()
        if _BANNER_NAMES.search(value):
            return True
        for token in _CLASS_TOKENS.split(value):
            parts = token.split("-")
            if "not" not in parts and words.intersection(parts):
                return True
    return False


def _hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return "display:none" in (element.get("style") or "").replace(" ", "").lower()


def _body(tree: HtmlElement) -> HtmlElement:
    body = tree.find("body")
    return tree if body is None else body


def body_chars(tree: HtmlElement) -> int:
    """The length of the text of ``tree``'s ``<body>`` (of ``tree`` when it has none)."""
    return len(_body(tree).text_content())


def _region(tree: HtmlElement, body_length: int | None = None) -> tuple[HtmlElement, int | None]:
    """The main region and its text's length when known (``body_length``: ``body_chars``, if
    the caller has it; a region chosen by measuring is measured)."""
    body = _body(tree)
    main = next(tree.iter("main"), None)
    if main is None:
        main = next((e for e in tree.iter("div", "section") if e.get("role") == "main"), None)
    if main is None:
        return body, body_length
    if body_length is None:
        body_length = len(body.text_content())
    main_chars = len(main.text_content())
    return (main, main_chars) if main_chars >= MAIN_SHARE * body_length else (body, body_length)


class _Walk:
    """One pass over a region: its block texts, boilerplate left out."""

    def __init__(
        self,
        region: HtmlElement,
        words: frozenset[str],
        chrome: re.Pattern[str] | None = None,
        total: int | None = None,
    ) -> None:
        self.total = len(region.text_content()) if total is None else total
        self.measures = MAX_MEASURES
        self.words = words
        self.chrome = chrome

    def _wrapper(self, element: HtmlElement) -> bool:
        """Whether a boilerplate-looking element holds most of the text (and so is content)."""
        if self.measures <= 0:
            return False
        self.measures -= 1
        return len(element.text_content()) > WRAPPER_SHARE * self.total

    def _named_chrome(self, element: HtmlElement) -> bool:
        """Whether the caller's ``chrome`` pattern matches the element's class and id values."""
        if self.chrome is None:
            return False
        css, identifier = element.get("class"), element.get("id")
        if not css and not identifier:
            return False
        return self.chrome.search(f"{css or ''} {identifier or ''}".lower()) is not None

    def dropped(self, element: HtmlElement) -> bool:
        tag = element.tag
        if not isinstance(tag, str) or tag in _DROP or _hidden(element):
            return True
        soft = (
            tag in _SOFT
            or (element.get("role") or "").lower() in _ROLES
            or _named_boilerplate(element, self.words)
            or self._named_chrome(element)
        )
        return soft and not self._wrapper(element)


def _lines(chunks: list[str | tuple[str]], repeats: bool = False) -> list[str]:
    """Folded lines of the flowing text, each once (with ``repeats``, one-word lines each
    time); ``(code,)`` blocks verbatim."""
    lines: list[str] = []
    seen: set[str] = set()
    flowing: list[str] = []
    for chunk in [*chunks, ("",)]:
        if isinstance(chunk, str):
            flowing.append(chunk)
            continue
        for raw in "".join(flowing).split("\n"):
            line = folded(raw)
            if line and (line not in seen or (repeats and " " not in line)):
                seen.add(line)
                lines.append(line)
        flowing = []
        code = "\n".join(line.rstrip() for line in chunk[0].strip("\n").splitlines())
        if code.strip():
            lines.append(code)
    return lines


def section_lines(
    tree: HtmlElement,
    documentation: bool = False,
    chrome: re.Pattern[str] | None = None,
    repeats: bool = False,
    region: HtmlElement | None = None,
    spaced: bool = False,
    body_length: int | None = None,
) -> list[str]:
    """The text of every section of ``tree``'s main region, one line per block, each line once
    (``tree`` is read, not modified); ``<pre>`` blocks keep their lines. With
    ``documentation``, tables of contents, edit links and prev/next pagers are left out too;
    elements whose class or id values match ``chrome`` are left out like boilerplate (the
    listing profile's facets, filters, sort controls and pagination: ``profile_cards``); with
    ``repeats``, a one-word line is kept each time it comes (a card's "Remote", "Full-time"
    or price, repeated down a grid); ``region``, when given, is read instead of the main
    region; with ``spaced``, an inline element that follows a sibling is read apart from it
    (a card's ``<span>Brand</span><span>Name</span>`` is "Brand Name", not "BrandName");
    ``body_length``: ``body_chars(tree)``, when the caller has it."""
    total = None  # the region's text length, when known (each text serialised once)
    if region is None:
        region, total = _region(tree, body_length)
    walk = _Walk(region, _DOCS_WORDS if documentation else _BOILER_WORDS, chrome, total)
    chunks: list[str | tuple[str]] = [region.text or ""]
    events = etree.iterwalk(region, events=("start", "end"))
    skipped: set[HtmlElement] = set()
    for event, element in events:
        if element is region:
            continue
        if event == "start":
            dropped = walk.dropped(element)
            if dropped or element.tag == "pre":
                if not dropped:  # code keeps its lines (its text is read once: no nesting)
                    chunks.append((element.text_content(),))
                skipped.add(element)
                events.skip_subtree()
                continue
            if element.tag in _BLOCK:
                chunks.append("\n")
            elif element.tag in _CELLS and element.getprevious() is not None:
                chunks.append(" | ")  # a table row is one line, its cells apart
            elif spaced and element.getprevious() is not None:
                # siblings are styled apart (a brand above a name): in the WCXB ground truths of
                # the 193 pages read as listings, two such siblings' words are apart 1,086
                # times and glued 11
                chunks.append(" ")
            chunks.append(element.text or "")
        else:
            if element in skipped:
                skipped.discard(element)
            elif element.tag in _BLOCK:
                chunks.append("\n")
            chunks.append(element.tail or "")
    return _from_headline(_lines(chunks, repeats), region)


def _from_headline(lines: list[str], region: HtmlElement) -> list[str]:
    """``lines`` from the region's first ``<h1>`` on: what comes before the page's headline is
    a menu, an announcement bar or breadcrumbs (+0.003 on both halves of the WCXB service
    pages)."""
    headline = next(region.iter("h1"), None)
    if headline is None:
        return lines
    text = folded(headline.text_content())
    return lines[lines.index(text) :] if text in lines else lines


def more_complete(sections: str, text: str | None) -> bool:
    """Whether ``sections`` holds at least ``COVERAGE`` of ``text``'s words and as many words."""
    theirs = _WORDS.findall((text or "").lower())
    ours = _WORDS.findall(sections.lower())
    if len(ours) < len(theirs) or not ours:
        return False
    vocabulary = set(ours)
    return sum(word in vocabulary for word in theirs) >= COVERAGE * len(theirs)


#: A class or id that may name a pop-up or a consent banner (``_POPUP_WORDS`` decides).
_POPUP_NAMES = re.compile(r"popup|modal|dialog|lightbox|cookie|consent|gdpr|onetrust")
_CHROME_TAGS = frozenset({"nav", "template", "dialog"})
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})
_POPUP_WORDS = frozenset({"popup", "modal", "dialog", "lightbox"})
#: The sections replace trafilatura's text when at least this share of its words lies in the
#: page's chrome (``_chrome_texts``). On the WCXB service pages read as service or article
#: whose walk is the less complete, that share is 0.95 and 1.0 on two (a menu, pop-ups) and at
#: most 0.36 on the others: 0.4 to 0.9 move the same pages (even files; the odd ones checked).
#: Text outside a ``<main>`` region counted as chrome too moved 15 of all 1,497 pages, 9 worse.
CHROME_SHARE = 0.5
#: ``chrome_share`` searches at most this many characters for each of its two questions (a
#: budget against a page of many lines: 20,000 lines of a 0.6 MB text took 2.9 s of CPU
#: without it; about 20 ms of ``str`` search at most with it).
MAX_SEARCHED_CHARS = 20_000_000


def _chrome_texts(tree: HtmlElement, total: int) -> list[str]:
    """The texts of ``tree``'s navigation, templates, dialogs and pop-ups, but not of an element
    holding more than ``WRAPPER_SHARE`` of ``total`` characters (a page wrapper named so:
    Drupal's ``dialog-off-canvas-main-canvas``); at most ``MAX_MEASURES`` elements."""
    texts = []
    budget = MAX_MEASURES
    for element in tree.iter():  # one pass: six times cheaper than an XPath of the names
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag not in _CHROME_TAGS and element.get("role") not in _DIALOG_ROLES:
            css, identifier = element.get("class"), element.get("id")
            if not (
                (css and _POPUP_NAMES.search(css.lower()))
                or (identifier and _POPUP_NAMES.search(identifier.lower()))
            ) or not _named_boilerplate(element, _POPUP_WORDS):
                continue  # a class or id that only holds the letters: "modality", "popular"
        budget -= 1
        if budget < 0:
            break
        text = element.text_content()
        if len(text) <= WRAPPER_SHARE * total:
            texts.append(folded(text))
    return texts


def _found_in(lines: list[tuple[str, int]], text: str, budget: int) -> list[tuple[str, int]] | None:
    """The ``lines`` (folded, with their word counts) that ``text`` holds, or None when finding
    them would search more than ``budget`` characters (each line not one of ``text``'s own is
    searched for in all of it: quadratic on a page of many lines)."""
    own = set(text.split("\n"))
    found = []
    for line, words in lines:
        if line not in own:
            budget -= len(text)
            if budget < 0:
                return None
            if line not in text:
                continue
        found.append((line, words))
    return found


def chrome_share(
    tree: HtmlElement, text: str, sections: str, body_length: int | None = None
) -> float:
    """The share of ``text``'s words in lines that the walk left out (not in ``sections``)
    and that are found in the page's chrome: navigation, templates, dialogs, pop-ups and
    consent banners (where trafilatura settled on a menu or on the page's pop-ups). The chrome
    is looked for only when enough of the text is left out (most pages: no walk for it); 0
    when the searches would read over ``MAX_SEARCHED_CHARS`` (trafilatura's text stands);
    ``body_length``: ``body_chars(tree)``, when the caller has it."""
    lines: list[tuple[str, int]] = []
    total = 0
    for line in text.split("\n"):
        line = folded(line)
        words = len(_WORDS.findall(line))
        total += words
        if words:
            lines.append((line, words))
    kept = _found_in(lines, sections, MAX_SEARCHED_CHARS)
    if not total or kept is None:
        return 0.0
    held = set(kept)
    left_out = [entry for entry in lines if entry not in held]
    if sum(words for _, words in left_out) < CHROME_SHARE * total:
        return 0.0
    if body_length is None:
        body_length = body_chars(tree)
    chrome = "\n".join(_chrome_texts(tree, body_length))
    in_chrome = _found_in(left_out, chrome, MAX_SEARCHED_CHARS)
    return 0.0 if in_chrome is None else sum(words for _, words in in_chrome) / total


def sections_or_main(tree: HtmlElement, url: str | None, documentation: bool = False) -> str | None:
    """The service (and, with ``documentation``, the documentation) profile: the page's
    sections, read before trafilatura prunes ``tree``, when they are the more complete text or
    trafilatura's text is the page's chrome (``CHROME_SHARE``), else trafilatura's."""
    sections = "\n".join(section_lines(tree, documentation))
    text = main_text(tree, url)
    if more_complete(sections, text):
        return sections
    if sections and text and chrome_share(tree, text, sections) >= CHROME_SHARE:
        logger.debug("trafilatura's text of %s is the page's chrome: its sections instead", url)
        return sections
    logger.debug("sections of %s less complete than trafilatura's text", url)
    return text
