"""Rendering: a page's main content in one of trafilatura's output formats (``GET .../text``)."""

from __future__ import annotations

import logging

import trafilatura

from core.formats import OutputFormat

logger = logging.getLogger(__name__)


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
    if result is None:
        logger.debug("nothing to render in %s", url)
        return None
    return str(result) if result else None
