"""Main text and metadata with trafilatura — the only module that imports it.

Text: what ``trafilatura.bare_extraction`` does, on a tree we parse once, comments excluded, no
cross-document deduplication (trafilatura's ``deduplicate`` cache is process-wide and would
leak between warm Lambda invocations). It is the same text as ``trafilatura.extract``. The
metadata is read first, so trafilatura may then work on that tree itself instead of on the
copy ``bare_extraction`` makes of a tree it is given (half a millisecond a page); the date
search (``core.dates``) comes last and spends what trafilatura left, instead of the copy
htmldate would make (trafilatura has removed comment sections by then: on the 793 WCXB pages
one date changed, on a page without an annotated date).

Metadata: trafilatura's own building blocks (``<meta>`` tags, JSON-LD, htmldate), composed
differently from ``extract_metadata`` where that is both cheaper and more accurate on the
WCXB development pages (``bench/``):

- title: the page's visible headline — the ``<h1>`` most of whose words appear in the
  declared title — instead of the declared title itself, which often carries the site name
  or an SEO variant;
- date: htmldate's steps without its "extensive" free-text search, which is three times
  slower and more often picks a wrong date (a comment's, a related article's);
- author: the same markup fallback as trafilatura, without its copy of the whole tree;
- categories and tags as the page declares them (``<meta>``, JSON-LD), without trafilatura's
  search of the markup for category and tag links (a tenth of the extraction's time);
- no licence lookup (the Article has no such field).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import (  # type: ignore[import-untyped]
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    fromstring,
)
from trafilatura.core import trafilatura_sequence
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Extractor
from trafilatura.utils import (
    DOCTYPE_TAG,
    FAULTY_HTML,
    INVALID_XML_CHARS,
    is_dubious_html,
    trim,
)
from trafilatura.xml import xmltotxt

from core.dates import (
    ALWAYS_READ_TAGS,
    CUED_TAGS,
    DATE_CUE,
    declared_date,
    is_markup_candidate,
    markup_date,
)
from core.formats import OutputFormat

logger = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
_SITE_NAME_URL = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")
# A headline is the page's title when at least this share of its words is in the declared one.
HEADLINE_AGREEMENT = 0.5
# trafilatura's bounds for an author found in the markup.
_AUTHOR_CHARS = (2, 120)


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
# The same searches over the whole tree: same elements in the same order as trafilatura's
# (tests/unit/test_extract_metadata.py compares them on every alternative).
_AUTHOR_XPATHS = [
    etree.XPath(f"//*[{test}]" + ("|//author" if i == 0 else ""))
    for i, test in enumerate(_AUTHOR_TESTS)
]
# Each XPath walks the whole tree with its twenty-odd string tests: ~1.6 ms each on an average
# WCXB page, ~5 ms for the three when no byline is found early. One Python pass instead keeps
# the elements whose attribute values hold a substring that every one of those tests implies
# (``author`` and ``Author`` contain "uthor", ``byline`` "byl", ``username`` and
# ``channel-name`` "name", ``posted-by`` "-by", ...): ~19 elements of ~940 on average, in
# document order, each then asked the exact test (0.8 ms in all on the same pages).
_MAYBE_AUTHOR = re.compile("uthor|yline|byl|BBL|name|-by|zuozhe|bianji|xiaobian|writer")
_TOP_LEVEL = etree.XPath("/*")
_IS_AUTHOR = [
    etree.XPath(f"self::*[{test}]" + ("|self::author" if i == 0 else ""))
    for i, test in enumerate(_AUTHOR_TESTS)
]
# Comments, sidebars, quotes, dates, figures: trafilatura prunes them from a copy of the whole
# tree before looking for a byline; here they are asked only of a byline candidate's ancestors
# and descendants, which gives the same answer.
_DISCARD_TEST = (
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
_DISCARDED_AROUND = etree.XPath("ancestor-or-self::*" + _DISCARD_TEST)


@dataclass(frozen=True)
class Metadata:
    """What the page says about itself (see the module docstring for the sources)."""

    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    description: str | None = None
    image: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class Extraction(Metadata):
    """What trafilatura found in one page: its metadata and main text."""

    text: str
    canonical_url: str | None = None
    declared_language: str | None = None


def _same_line(left: str, right: str) -> bool:
    return _SPACES.sub(" ", left).strip().casefold() == _SPACES.sub(" ", right).strip().casefold()


def _body_without_title(text: str, title: str | None) -> str:
    """trafilatura keeps the article's ``<h1>`` as the first line; the title has its own field."""
    first, _, rest = text.partition("\n")
    if title and rest and _same_line(first, title):
        return rest.lstrip("\n")
    return text


_CANONICAL = etree.XPath("//head/link[@rel='canonical']/@href")
# libxml2 drops a ``<head>`` met anywhere but first in ``<html>``, so under the root element
# the search need not walk the body (a tenth of the time on WCXB pages).
_ROOT_CANONICAL = etree.XPath("head/link[@rel='canonical']/@href")


def _canonical(tree: HtmlElement, url: str | None) -> str | None:
    search = _ROOT_CANONICAL if tree.tag == "html" and tree.getparent() is None else _CANONICAL
    for href in search(tree):
        href = str(href).strip()
        if href:
            return urljoin(url, href) if url else href
    return None


class _Element(HtmlElement):  # type: ignore[misc]
    """``HtmlElement`` whose ``text_content`` is lxml's text serialisation, in C.

    ``HtmlElement.text_content`` evaluates the XPath ``string()`` (1.36 µs an element on WCXB
    pages, ~580 calls a page in trafilatura); serialising the text gives the same string
    (every descendant text node, without the element's own tail) in 0.74 µs.
    """

    def text_content(self) -> str:
        return str(etree.tostring(self, method="text", encoding=str, with_tail=False))


def _parser() -> HTMLParser:
    """trafilatura's parser settings, with every element an ``HtmlElement`` decided in C.

    ``lxml.html`` picks each element's class in Python (form elements get their own), which
    costs a call every time lxml hands trafilatura an element: about a tenth of its run time.
    trafilatura uses no form-element feature, so the text is the same.
    """
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
    )
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=_Element,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_PARSER = _parser()
# lxml and libxml2 work on several pages from several threads at once corrupts the heap (the
# 16-thread `ingest` died with "double free or corruption" in about a third of the runs): this
# module runs in the extraction worker processes of core.extraction_pool, one page at a time
# each, never in the threads that fetch.
# What trafilatura's INVALID_XML_CHARS matches below U+FFFE, as single UTF-8 bytes.
_CONTROL_BYTES = [bytes([c]) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]


def _repaired(html: str, beginning: str, utf8: bytes | None = None) -> tuple[str, bytes]:
    """trafilatura's ``repair_faulty_html``, and its result in UTF-8 for the parser.

    The same three repairs, each only when it changes something: trafilatura's search for
    control characters is a regular expression over the whole page (0.45 ms on an average
    WCXB page of 178k characters), where looking for each one in the UTF-8 bytes takes a
    tenth of that.
    """
    data = html.encode("utf-8", "surrogatepass") if utf8 is None else utf8
    changed = False
    if "\ufffe" in html or "\uffff" in html or any(data.find(c) >= 0 for c in _CONTROL_BYTES):
        html, changed = INVALID_XML_CHARS.sub("", html), True
    if "doctype" in beginning:
        first_line, newline, rest = html.partition("\n")
        repaired = DOCTYPE_TAG.sub("", first_line, count=1)
        if repaired != first_line or not newline:
            html, changed = repaired + "\n" + rest, True
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html, changed = FAULTY_HTML.sub(r"\1>", html, count=1), True
            break
    return html, html.encode("utf-8", "surrogatepass") if changed else data


def _load(html: str, utf8: bytes | None = None) -> HtmlElement | None:
    """``trafilatura.load_html`` for text we already decoded, with the faster parser.

    lxml reads the text as UTF-8 bytes (``utf8``, when the page came so, saves encoding it),
    into the same tree, and those bytes also show quickly whether it needs repairs; the
    ``str`` stays the fallback.
    """
    beginning = html[:50].lower()
    html, data = _repaired(html, beginning, utf8)
    tree: HtmlElement | None = None
    try:
        tree = fromstring(data, parser=_PARSER)
    except (ValueError, etree.ParserError):
        tree = None
    if tree is None or len(tree) < 1:
        try:
            tree = fromstring(html, parser=_PARSER)
        except (ValueError, etree.ParserError):
            return None
    if tree is None or (is_dubious_html(beginning) and len(tree) < 2):
        return None
    return tree if isinstance(tree, HtmlElement) else None


def _words(text: str | None) -> set[str]:
    return set(_WORD.findall(text.lower())) if text else set()


def headline(tree: HtmlElement, declared: str | None) -> str | None:
    """The ``<h1>`` that best agrees with the declared title, else the declared title.

    An ``<h1>`` agrees when most of its words are in the declared title; among those, the one
    sharing the most words wins (a logo ``<h1>`` holding the site name shares only those).
    """
    declared_words = _words(declared)
    if not declared_words:
        return declared
    best, best_shared = declared, 0
    for element in tree.iter("h1"):
        text = trim(element.text_content())
        words = _words(text)
        shared = len(words & declared_words)
        if len(words) > 1 and shared >= HEADLINE_AGREEMENT * len(words) and shared > best_shared:
            best, best_shared = text, shared
    return best


_IS_DISCARDED = etree.XPath("self::*" + _DISCARD_TEST)


def _byline_text(root: HtmlElement, known: dict[HtmlElement, str | None]) -> str | None:
    """``trim(" ".join(root.itertext()))`` once the discarded descendants are removed, or None
    when that is too long to be a byline (``_AUTHOR_CHARS``).

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
    limit = _AUTHOR_CHARS[1]
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


@dataclass(frozen=True)
class _MarkupScan:
    """What one pass over a page's elements found for the markup searches."""

    bylines: list[list[HtmlElement]]  # what each of trafilatura's byline XPaths finds
    date_candidates: list[HtmlElement] | None  # what htmldate's markup search reads, if asked


def _scan_markup(tree: HtmlElement, with_dates: bool = False) -> _MarkupScan:
    """Byline candidates (and, ``with_dates``, htmldate's date candidates) in one pass."""
    maybe: list[HtmlElement] = []
    maybe_dates: list[HtmlElement] = []
    always, cued = (ALWAYS_READ_TAGS, CUED_TAGS) if with_dates else (frozenset(), frozenset())
    author_cue, date_cue = _MAYBE_AUTHOR.search, DATE_CUE.search  # ~940 elements: local names
    # ``//`` searches the whole document: above ``tree`` when lxml handed back the body's only
    # child, and beside it when a broken page left several top-level elements.
    for top in _TOP_LEVEL(tree):
        for element in top.iter(etree.Element):
            tag = element.tag
            if tag == "rel":  # the ``rel='me'`` test reads a child's text
                return _MarkupScan([xpath(tree) for xpath in _AUTHOR_XPATHS], None)
            values = " ".join(element.values())
            if (values and author_cue(values)) or tag == "author":
                maybe.append(element)
            if tag in always or (tag in cued and values and date_cue(values)):
                maybe_dates.append(element)
    return _MarkupScan(
        [[element for element in maybe if test(element)] for test in _IS_AUTHOR],
        [element for element in maybe_dates if is_markup_candidate(element)]
        if with_dates
        else None,
    )


def markup_author(tree: HtmlElement, scan: _MarkupScan | None = None) -> str | None:
    """trafilatura's author fallback (bylines in the markup), without copying the tree, in
    time linear in the page's size (see ``_byline_text``)."""
    known: dict[HtmlElement, str | None] = {}
    for candidates in (scan or _scan_markup(tree)).bylines:
        for element in candidates:
            if _DISCARDED_AROUND(element):
                continue
            content = _byline_text(element, known)
            if content and _AUTHOR_CHARS[0] < len(content) < _AUTHOR_CHARS[1]:
                return normalize_authors(None, content)
    return None


def _sitename(tree: HtmlElement, declared: str | None, page_url: str | None) -> str | None:
    sitename = declared or extract_sitename(tree)
    if sitename:
        sitename = sitename.lstrip("@")
        if sitename and "." not in sitename and not sitename[0].isupper():
            sitename = sitename.title()
        return sitename or None
    match = _SITE_NAME_URL.match(page_url or "")
    return match.group(1) if match else None


def meta_tags(tree: HtmlElement) -> Any:
    """trafilatura's ``examine_meta``: what the ``<meta>`` tags of ``<head>`` say.

    It reads nothing else, but finds them with ``.//head`` searches that walk the whole page
    (0.2 ms of its 0.28 on WCXB pages). Lent to an empty ``<html>`` for the call, the head is
    read in a quarter of the time, then put back where it was (libxml2 keeps no ``<head>`` but
    the root's, so no other one is missed).
    """
    head = tree.find("head") if tree.tag == "html" and tree.getparent() is None else None
    if head is None:
        return examine_meta(tree)
    position = tree.index(head)
    shell = _PARSER.makeelement("html")
    shell.append(head)
    try:
        return examine_meta(shell)
    finally:
        tree.insert(position, head)


def _declared(tree: HtmlElement, url: str | None) -> Any:
    """What the ``<meta>`` tags and JSON-LD say (a trafilatura ``Document``)."""
    found: Any = meta_tags(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = extract_meta_json(tree, found)
    except Exception:  # trafilatura's JSON-LD reader fails on some malformed blocks
        logger.debug("unreadable JSON-LD in %s", url, exc_info=True)
    return found


def _described(
    tree: HtmlElement, found: Any, page_url: str | None, scan: _MarkupScan | None
) -> Metadata:
    """Everything but the date, from the declarations and the page's markup."""
    return Metadata(
        title=headline(tree, found.title or extract_title(tree)),
        author=found.author or markup_author(tree, scan),
        sitename=_sitename(tree, found.sitename, page_url),
        description=found.description or None,
        image=found.image or None,
        categories=list(found.categories or []),
        tags=list(found.tags or []),
    )


_OPTIONS = Extractor(output_format="python", comments=False, dedup=False)


def main_text(tree: HtmlElement, url: str | None) -> str | None:
    """``trafilatura.bare_extraction(tree, url=url, include_comments=False).text``, reading
    ``tree`` in place (which it prunes and so spends) rather than a copy of it.

    The steps are ``bare_extraction``'s in trafilatura 2.3.1 (pinned) for these options: no
    metadata, language or duplicate filters, no size limit on the output tree (its
    ``MAX_TREE_SIZE`` is unset). tests/unit/test_extract_metadata.py checks the result against
    ``bare_extraction`` itself.
    """
    if tree.getparent() is not None or tree.getprevious() is not None or tree.getnext() is not None:
        # lxml handed back part of the document: trafilatura's copy holds that part alone
        tree = copy(tree)
    options = copy(_OPTIONS)  # reading trafilatura's configuration anew takes 40 µs, a copy 3
    options.url, options.source = url, url and url.encode("utf-8", "replace").decode("utf-8")
    try:
        body, text, _, comments = trafilatura_sequence(tree, options, url)
    except (TypeError, ValueError):
        logger.warning("discarding data: %s", url)
        return None
    if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
        return None
    return str(xmltotxt(body, options.formatting))


def extract_article(
    html: str, url: str | None = None, utf8: bytes | None = None
) -> Extraction | None:
    """The article in ``html`` (``utf8``: the same text as UTF-8 bytes, if the caller has them),
    or None when the page holds no main text. Not for several threads at once (see ``_PARSER``).
    """
    tree = _load(html, utf8)
    if tree is None:
        return None
    declared = tree.get("lang") or tree.get("xml:lang")
    canonical = _canonical(tree, url)
    found = _declared(tree, url)
    page_url = found.url or extract_url(tree, url)
    date = declared_date(tree, page_url)
    # the byline and the date searches read the same elements: one pass when both need it
    scan = None if found.author else _scan_markup(tree, with_dates=date is None)
    metadata = _described(tree, found, page_url, scan)
    text = main_text(tree, url)  # trafilatura prunes the tree in place
    if not text or not text.strip():
        return None
    if date is None:  # last: the markup search spends what trafilatura left of the tree
        date = markup_date(tree, scan.date_candidates if scan else None)
    return Extraction(
        **{
            item.name: getattr(metadata, item.name)
            for item in fields(Metadata)
            if item.name != "date"
        },
        date=date,
        text=_body_without_title(text.strip(), metadata.title),
        canonical_url=canonical,
        declared_language=declared,
    )


def render(html: str, url: str | None, output_format: OutputFormat) -> str | None:
    """The main content in one of trafilatura's output formats, or None when there is none.
    Not for several threads at once: the extraction pool runs it in a worker process."""
    result = trafilatura.extract(
        html,
        url=url,
        output_format=output_format,
        include_comments=False,
        with_metadata=output_format in ("xml", "json"),
        deduplicate=False,
    )
    return str(result) if result else None
