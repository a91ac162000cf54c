"""Chosen options: a page's main content extracted with the caller's ``ExtractionOptions``.

The default options take ``text.main_text``'s path unchanged (the same text, at the same
speed); only a caller who chose something else comes here. ``include_links`` and
``include_images`` resolve the page's links and image sources first (``links.absolutize``) and
list what trafilatura kept (``links.collect``); the ``text`` stays plain either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import trafilatura
from lxml.html import HtmlElement  # type: ignore[import-untyped]
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt

from core.extract.links import absolutize, collect, plain
from core.extract.text import main_content
from core.extraction_options import ExtractionOptions
from core.models import ArticleImage, ArticleLink
from core.pins import require

require("trafilatura", trafilatura.__version__, __name__)

logger = logging.getLogger(__name__)


def extractor(
    options: ExtractionOptions,
    output_format: str = "python",
    url: str | None = None,
    with_metadata: bool = False,
) -> Extractor:
    """trafilatura's settings for ``options`` (no duplicate filter: its cache is process-wide;
    no language filter: ``core.extract.assemble`` checks the language it detects itself)."""
    return Extractor(
        output_format=output_format,
        url=url,
        with_metadata=with_metadata,
        comments=options.include_comments,
        tables=options.include_tables,
        links=options.include_links,
        images=options.include_images,
        precision=options.favor == "precision",
        recall=options.favor == "recall",
        dedup=False,
    )


def extraction_default(options: ExtractionOptions | None) -> bool:
    """Whether ``options`` extract exactly as the defaults do (``target_language`` is checked
    after extraction, it changes nothing of it)."""
    return options is None or not options.model_dump(
        exclude_defaults=True, exclude={"target_language"}
    )


@dataclass(frozen=True)
class Content:
    """The plain main text (comments after it, when asked for) and its links and images."""

    text: str
    links: list[ArticleLink] = field(default_factory=list)
    images: list[ArticleImage] = field(default_factory=list)


def chosen_content(
    tree: HtmlElement, url: str | None, options: ExtractionOptions
) -> Content | None:
    """The main content of ``tree`` (spent) extracted with ``options``, or None."""
    settings = extractor(options)
    if options.include_links or options.include_images:
        absolutize(tree, url)
    found = main_content(tree, url, settings)
    if found is None:
        return None
    body, comments = found
    links, images = collect(body)
    text = str(xmltotxt(plain(body), settings.formatting))
    if options.include_comments and len(comments):
        remarks = str(xmltotxt(plain(comments), settings.formatting)).strip()
        text = f"{text}\n{remarks}" if remarks else text
    return Content(
        text=text,
        links=links if options.include_links else [],
        images=images if options.include_images else [],
    )
