"""Metadata: what a page says about itself — declared tags, JSON-LD, headline, site, canonical.

trafilatura's own building blocks (``<meta>`` tags, JSON-LD), composed differently from its
``extract_metadata`` where that is both cheaper and more accurate on the WCXB development pages
(``bench/``):

- title: the page's visible headline — the ``<h1>`` most of whose words appear in the
  declared title — instead of the declared title itself, which often carries the site name
  or an SEO variant;
- author: the declared one, else the byline in the markup (``core.extract.byline``);
- categories and tags as the page declares them (``<meta>``, JSON-LD), without trafilatura's
  search of the markup for category and tag links (a tenth of the extraction's time);
- no licence lookup (the Article has no such field).

The date has its own module (``core.extract.dates``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.json_metadata import (
    JSON_UNICODE_REPLACE,
    extract_json,
    extract_json_parse_error,
)
from trafilatura.metadata import JSON_MINIFY, examine_meta, extract_sitename, extract_title
from trafilatura.settings import Document
from trafilatura.utils import HTML_STRIP_TAGS, trim

from core.extract.byline import markup_author
from core.extract.loading import PARSER
from core.extract.textstats import lower_words
from core.pins import InternalsChanged, check_parameters, require

require("trafilatura", trafilatura.__version__, __name__)
_READERS = "trafilatura.json_metadata."
check_parameters(f"{_READERS}extract_json", extract_json, ("schema", "metadata"), __name__)
check_parameters(
    f"{_READERS}extract_json_parse_error", extract_json_parse_error, ("elem", "metadata"), __name__
)

logger = logging.getLogger(__name__)

_SITE_NAME_URL = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")
# A headline is the page's title when at least this share of its words is in the declared one:
# "most of its words", so a logo <h1> holding only the site name never qualifies on a long
# declared title. Set with the headline rule (title accuracy on the WCXB development pages in
# docs/benchmarks.md), not tuned further.
HEADLINE_AGREEMENT = 0.5


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


_CANONICAL = etree.XPath("//head/link[@rel='canonical']/@href")
# libxml2 drops a ``<head>`` met anywhere but first in ``<html>``, so under the root element
# the search need not walk the body (a tenth of the time on WCXB pages).
_ROOT_CANONICAL = etree.XPath("head/link[@rel='canonical']/@href")


def canonical(tree: HtmlElement, url: str | None) -> str | None:
    """The page's ``<link rel="canonical">``, made absolute against ``url``."""
    search = _ROOT_CANONICAL if tree.tag == "html" and tree.getparent() is None else _CANONICAL
    for href in search(tree):
        href = str(href).strip()
        if href:
            return urljoin(url, href) if url else href
    return None


def _words(text: str | None) -> set[str]:
    return set(lower_words(text)) if text else set()


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
    shell = PARSER.makeelement("html")
    shell.append(head)
    try:
        return examine_meta(shell)
    finally:
        tree.insert(position, head)


_JSON_SCRIPT_TYPES = ("application/ld+json", "application/settings+json")
# trafilatura's JSON_MINIFY (white space outside the JSON strings removed), with possessive
# runs: a string's characters split into its items one way only, so giving some back never
# finds a closing quote, and the same strings match at the same places without the alternation
# tried per character; a run of white space goes at once, as each of its characters did. The
# blocks of 300 WCXB articles: 0.27 -> 0.12 ms a page. Checked against trafilatura's at import.
_MINIFY = re.compile(r'("(?:[^"\\]++|\\.)*+")|\s+')
if JSON_MINIFY.pattern != r'("(?:\\.|[^"\\])*")|\s' or JSON_MINIFY.flags != re.UNICODE:
    raise InternalsChanged(f"trafilatura's JSON_MINIFY changed: check {__name__}")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _normalize_json(string: str) -> str:
    """trafilatura's ``normalize_json`` (2.3.1, pinned), with the lone surrogates removed by
    one expression instead of a generator called for every character of the block."""
    if "\\" in string:
        string = string.replace("\\n", "").replace("\\r", "").replace("\\t", "")
        string = JSON_UNICODE_REPLACE.sub(lambda match: chr(int(match[1], 16)), string)
        string = _SURROGATES.sub("", string)
        string = unescape(string)
    return str(trim(HTML_STRIP_TAGS.sub("", string)))


def meta_json(tree: HtmlElement, metadata: Any) -> Any:
    """trafilatura's ``extract_meta_json`` (2.3.1, pinned): what the JSON-LD blocks say.

    The same steps, with the blocks found by a walk over the ``<script>`` elements rather than
    an XPath (a third of its time), and ``_normalize_json``: on the WCXB pages most blocks
    hold a backslash (escaped slashes), for which trafilatura's normaliser calls a generator
    per character.

    As trafilatura's ``extract_metadata`` does around it ("bugs in json_metadata.py"), an error
    while reading a block stops the reading and keeps what the earlier blocks said. The
    readers' parameters are checked at import and their answer here, outside that ``except``:
    a changed internal fails loudly (``InternalsChanged``), not as a page without JSON-LD."""
    for element in tree.iterdescendants("script"):
        if element.get("type") not in _JSON_SCRIPT_TYPES or not element.text:
            continue
        try:
            text = _normalize_json(_MINIFY.sub(r"\1", element.text))
            try:
                # strict=False: as trafilatura, control characters are not refused
                schema = json.loads(text, strict=False)
            except json.JSONDecodeError:
                read = extract_json_parse_error(text, metadata)
            else:
                read = extract_json(schema, metadata)
        except Exception:  # malformed data trafilatura's reader trips on (deep nesting, odd types)
            logger.debug("unreadable JSON-LD block", exc_info=True)
            return metadata
        if not isinstance(read, Document):
            raise InternalsChanged(
                f"trafilatura's JSON-LD reader answered {type(read).__name__}, not a Document:"
                f" check {__name__} against the installed trafilatura"
            )
        metadata = read
    return metadata


def declared(tree: HtmlElement, url: str | None) -> Any:
    """What the ``<meta>`` tags and JSON-LD say (a trafilatura ``Document``)."""
    found: Any = meta_tags(tree)
    if found.author and " " not in found.author:
        found.author = None
    return meta_json(tree, found)


def described(
    tree: HtmlElement,
    found: Any,
    page_url: str | None,
    bylines: Sequence[Sequence[HtmlElement]] | None,
) -> Metadata:
    """Everything but the date, from the declarations (``found``) and the page's markup
    (``bylines``: the byline candidates of ``core.extract.markup``, when it scanned)."""
    return Metadata(
        title=headline(tree, found.title or extract_title(tree)),
        author=found.author or markup_author(tree, bylines),
        sitename=_sitename(tree, found.sitename, page_url),
        description=found.description or None,
        image=found.image or None,
        categories=list(found.categories or []),
        tags=list(found.tags or []),
    )
