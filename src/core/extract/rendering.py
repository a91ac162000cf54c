"""Rendering: a page's main content in one of trafilatura's output formats (``GET .../text``).

The article's stored options (``include_comments``, ``include_tables``, ``favor``) apply. The
markdown and HTML renderings keep the main content's links and images, with absolute http(s)
URLs (``core.extract.links.absolutize``: resolved against the page's base URL; any other
scheme loses its link and keeps its text, or loses the image); txt, xml and json keep neither.

Given the Article's own text (``guide``: its page type's profile, ``core.extract.profiles``),
txt, markdown and HTML hold that text, formatted as trafilatura formats its main content
(``core.extract.guided``): a forum's posts, a product's specifications, a listing's cards are
in them, and what the profile cut is not. xml and json are trafilatura's own documents, with
its metadata.
"""

from __future__ import annotations

import logging

import trafilatura
from lxml import etree  # type: ignore[import-untyped]
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.settings import Extractor
from trafilatura.utils import normalize_unicode
from trafilatura.xml import xmltotxt

from core.extract.chosen import extractor
from core.extract.guided import guided_body, page_cues
from core.extract.links import absolutize
from core.extract.loading import load_html
from core.extract.text import main_content
from core.extraction_options import DEFAULT_OPTIONS, ExtractionOptions
from core.formats import OutputFormat
from core.pins import require

require("trafilatura", trafilatura.__version__, __name__)

logger = logging.getLogger(__name__)

#: The formats whose renderings keep links and images.
WITH_LINKS: frozenset[OutputFormat] = frozenset({"markdown", "html"})
#: The formats a guide text shapes (xml and json are trafilatura's documents).
GUIDED: frozenset[OutputFormat] = frozenset({"txt", "markdown", "html"})


def render(
    html: str,
    url: str | None,
    output_format: OutputFormat,
    options: ExtractionOptions | None = None,
    guide: str | None = None,
) -> str | None:
    """The main content in one of trafilatura's output formats, or None when there is none;
    with ``guide`` (the Article's text), txt, markdown and HTML hold that text. Not for several
    threads at once: the extraction pool runs it in a worker process."""
    chosen = options or DEFAULT_OPTIONS
    linked = output_format in WITH_LINKS
    if linked:
        chosen = chosen.model_copy(update={"include_links": True, "include_images": True})
    else:
        chosen = chosen.model_copy(update={"include_links": False, "include_images": False})
    settings = extractor(chosen, output_format, url, with_metadata=output_format in ("xml", "json"))
    if guide is not None and guide.strip() and output_format in GUIDED:
        return _guided(html, url, output_format, settings, guide)
    document: object = html
    if linked:
        tree = load_html(html)
        if tree is None:
            return None
        absolutize(tree, url)
        document = tree
    result = trafilatura.extract(document, url=url, options=settings)
    if result is None:
        logger.debug("nothing to render in %s", url)
        return None
    return str(result) if result else None


def _guided(
    html: str, url: str | None, output_format: OutputFormat, settings: Extractor, guide: str
) -> str | None:
    """``guide``'s lines formatted as trafilatura formats the page's main content."""
    tree = load_html(html)
    if tree is None:
        return None
    if output_format in WITH_LINKS:
        absolutize(tree, url)
    cues = page_cues(tree)
    found = main_content(tree, url, settings)  # prunes the tree: the cues are read before
    blocks: list[etree._Element] = []
    if found is not None:
        main, comments = found
        if main.text and main.text.strip():  # text before the first block: one of its own
            lead = etree.Element("p")
            lead.text, main.text = main.text, None
            main.insert(0, lead)
        blocks = [*main, *comments]
    body = guided_body(blocks, guide, cues)
    if output_format == "html":
        document = convert_to_html(body)
        result = etree.tostring(document, pretty_print=True, encoding="unicode").strip()
    else:
        result = str(xmltotxt(body, settings.formatting)).strip()
    return normalize_unicode(result) or None
