"""Extraction profiles: the main text of a page, the way its page type needs it.

Every profile runs trafilatura's extraction sequence once (``core.extract.text``); they differ
in its options and in what the page's declarations add:

- ``article``: trafilatura's text, with a recall pass where the article's lists were lost,
  paragraphs repeated word for word kept once and the blocks after the article (share, author,
  newsletter, related posts) cut from its end, and the page's sections instead where that text
  is a small part of them (``core.extract.profile_article``);
- ``listing`` and ``collection``: every section of the listing's region (the element holding
  the card grid and the page's ``<h1>``), facets, filters, sort controls and pagination left
  out, when that holds the page's card grid; else trafilatura's
  text, then the page's heading and the repeated cards it dropped
  (``core.extract.profile_cards``);
- ``service`` and ``documentation``: every section of the main region, where that is more
  complete than trafilatura's text (``core.extract.profile_sections``);
- ``other``: trafilatura's text, exactly as before page types existed;
- ``forum``: the thread's posts in order, without the lines every few posts repeat
  (``core.extract.profile_forum``), else trafilatura's text with comments included and the
  page's dialogs left out — on a thread the "comments" are the posts, which trafilatura drops
  from an article;
- ``product``: trafilatura's text without other products' carousels, reviews (a section
  headed so, or a reviews widget named so), repeated blocks, the page's pop-ups (cookie
  banners, dialogs) and its footer, the product's name first when
  trafilatura dropped it (``core.extract.profile_product``), then what the page's JSON-LD
  ``Product`` says that the visible text lacks (its description and its
  ``additionalProperty`` specifications: shops often keep them in tabs or scripts the DOM
  extraction never sees).

On an article the title line leaves the text (``core.extract.article``); on the other types it
stays, as content.

Measured per type on the WCXB development pages (``python -m bench.pagetypes``); what was tried
for the types without a rule of their own is in docs/extraction.md.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement  # type: ignore[import-untyped]

from core.extract.pagetype import declared_products
from core.extract.profile_article import article_text
from core.extract.profile_cards import GridReading, listing_text
from core.extract.profile_forum import forum_text
from core.extract.profile_product import hidden_panels, product_text
from core.extract.profile_sections import sections_or_main
from core.extract.text import main_text
from core.extract.textstats import lower_words
from core.models import PageType

logger = logging.getLogger(__name__)

_TAGS = re.compile(r"<[^>]{0,500}>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
#: Declared text is added when less than this share of its words is already in the text.
NEW_WORDS_SHARE = 0.5


@dataclass(frozen=True)
class Declared:
    """What a page's JSON-LD says about its product."""

    description: str = ""
    specifications: tuple[str, ...] = ()


def _plain(value: Any) -> str:
    """Declared text as plain lines: markup removed, spaces folded."""
    if not isinstance(value, str):
        return ""
    text = _TAGS.sub("\n", value)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def declared_product(tree: HtmlElement) -> Declared:
    """The description and specifications of the page's JSON-LD ``Product`` (read before
    trafilatura prunes the scripts away)."""
    description = ""
    specifications: list[str] = []
    for node in declared_products(tree):
        text = _plain(node.get("description"))
        if len(text) > len(description):
            description = text
        properties = node.get("additionalProperty")
        for prop in properties if isinstance(properties, list) else []:
            if isinstance(prop, dict):
                name, value = _plain(prop.get("name")), _plain(prop.get("value"))
                if name and value:
                    specifications.append(f"{name}: {value}")
    return Declared(description, tuple(dict.fromkeys(specifications)))


def _mostly_new(addition: str, words: set[str]) -> bool:
    tokens = lower_words(addition)
    if not tokens:
        return False
    return sum(token not in words for token in tokens) > NEW_WORDS_SHARE * len(tokens)


def with_new(text: str | None, parts: list[str]) -> str | None:
    """``text`` followed by each of ``parts`` whose words are mostly new to it."""
    words = set(lower_words(text or ""))
    for part in parts:
        if _mostly_new(part, words):
            text = f"{text}\n{part}" if text else part
            words.update(lower_words(part))
    return text


def with_declared(text: str | None, declared: Declared) -> str | None:
    """``text`` followed by the declared description and specifications it lacks."""
    words = set(lower_words(text or ""))
    additions = [
        part
        for part in (declared.description, "\n".join(declared.specifications))
        if part and _mostly_new(part, words)
    ]
    if not additions:
        return text
    return "\n".join(filter(None, (text, *additions)))


def profile_text(
    tree: HtmlElement, url: str | None, page_type: PageType, reading: GridReading | None = None
) -> str | None:
    """The main text of ``tree`` (which trafilatura prunes and so spends) for ``page_type``;
    ``reading``: the card grid the classifier read, if it did."""
    if page_type is PageType.ARTICLE:
        return article_text(tree, url)
    if page_type is PageType.FORUM:
        return forum_text(tree, url)
    if page_type is PageType.PRODUCT:
        declared = declared_product(tree)
        panels = hidden_panels(tree)  # read before trafilatura prunes the tree
        return with_new(with_declared(product_text(tree, url), declared), panels)
    if page_type in (PageType.LISTING, PageType.COLLECTION):
        return listing_text(tree, url, reading)
    if page_type is PageType.SERVICE:
        return sections_or_main(tree, url)
    if page_type is PageType.DOCUMENTATION:
        return sections_or_main(tree, url, documentation=True)
    return main_text(tree, url)
