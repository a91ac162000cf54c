"""Main text and metadata with trafilatura — the only module that imports it.

Settings: comments excluded, metadata on, no cross-document deduplication (trafilatura's
``deduplicate`` cache is process-wide and would leak between warm Lambda invocations).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin

import trafilatura
from lxml.html import HtmlElement

logger = logging.getLogger(__name__)

OutputFormat = Literal["txt", "markdown", "html", "xml", "json"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = ("txt", "markdown", "html", "xml", "json")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Extraction:
    """What trafilatura found in one page."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    description: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    declared_language: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def _same_line(left: str, right: str) -> bool:
    return _SPACES.sub(" ", left).strip().casefold() == _SPACES.sub(" ", right).strip().casefold()


def _body_without_title(text: str, title: str | None) -> str:
    """trafilatura keeps the article's ``<h1>`` as the first line; the title has its own field."""
    first, _, rest = text.partition("\n")
    if title and rest and _same_line(first, title):
        return rest.lstrip("\n")
    return text


def _canonical(tree: HtmlElement, url: str | None) -> str | None:
    for href in tree.xpath("//head/link[@rel='canonical']/@href"):
        href = str(href).strip()
        if href:
            return urljoin(url, href) if url else href
    return None


def _load(html: str) -> HtmlElement | None:
    tree = trafilatura.load_html(html)
    return tree if isinstance(tree, HtmlElement) else None


def extract_article(html: str, url: str | None = None) -> Extraction | None:
    """The article in ``html``, or None when the page holds no main text."""
    tree = _load(html)
    if tree is None:
        return None
    declared = tree.get("lang") or tree.get("xml:lang")
    canonical = _canonical(tree, url)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        include_comments=False,
        with_metadata=True,
        deduplicate=False,
    )
    if document is None or not (document.text or "").strip():
        return None
    title = document.title or None
    return Extraction(
        text=_body_without_title(document.text.strip(), title),
        title=title,
        author=document.author or None,
        date=document.date or None,
        sitename=document.sitename or None,
        description=document.description or None,
        image=document.image or None,
        canonical_url=canonical,
        declared_language=declared,
        categories=list(document.categories or []),
        tags=list(document.tags or []),
    )


def render(html: str, url: str | None, output_format: OutputFormat) -> str | None:
    """The main content in one of trafilatura's output formats, or None when there is none."""
    result = trafilatura.extract(
        html,
        url=url,
        output_format=output_format,
        include_comments=False,
        with_metadata=output_format in ("xml", "json"),
        deduplicate=False,
    )
    return str(result) if result else None
