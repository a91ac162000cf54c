"""Rendering: a page's main content in one of trafilatura's output formats (``GET .../text``).

The article's stored options (``include_comments``, ``include_tables``, ``favor``) apply. The
markdown and HTML renderings keep the main content's links and images, with absolute http(s)
URLs (``core.extract.links.absolutize``: resolved against the page's base URL; any other
scheme loses its link and keeps its text, or loses the image); txt, xml and json keep neither,
as before.
"""

from __future__ import annotations

import logging

import trafilatura

from core.extract.chosen import extractor
from core.extract.links import absolutize
from core.extract.loading import load_html
from core.extraction_options import DEFAULT_OPTIONS, ExtractionOptions
from core.formats import OutputFormat

logger = logging.getLogger(__name__)

#: The formats whose renderings keep links and images.
WITH_LINKS: frozenset[OutputFormat] = frozenset({"markdown", "html"})


def render(
    html: str,
    url: str | None,
    output_format: OutputFormat,
    options: ExtractionOptions | None = None,
) -> str | None:
    """The main content in one of trafilatura's output formats, or None when there is none.
    Not for several threads at once: the extraction pool runs it in a worker process."""
    chosen = options or DEFAULT_OPTIONS
    linked = output_format in WITH_LINKS
    if linked:
        chosen = chosen.model_copy(update={"include_links": True, "include_images": True})
    else:
        chosen = chosen.model_copy(update={"include_links": False, "include_images": False})
    settings = extractor(chosen, output_format, url, with_metadata=output_format in ("xml", "json"))
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
