"""Page extractors: where ``core.extract.assemble`` runs for the pipeline and the CLI.

``InProcessExtractor`` runs it in the calling thread (benchmarks of the bare function, and a
single-threaded process that wants no worker); the pipeline's default is the pool of worker
processes (``core.extraction_pool``) chosen by ``core.services.Services.extractor``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.models import Article
from core.ports import PageInput

if TYPE_CHECKING:
    from core.extraction_options import ExtractionOptions
    from core.formats import OutputFormat


class InProcessExtractor:
    """``core.extract.assemble.assemble`` in the calling thread: no budget, no isolation, and one
    thread at a time (lxml)."""

    def assemble(self, page: PageInput) -> Article | None:
        """The extracted Article, or None when the page holds no article."""
        from core.extract.assemble import assemble

        return assemble(page)

    def render(
        self,
        html: str,
        url: str | None,
        output_format: OutputFormat,
        options: ExtractionOptions | None = None,
        guide: str | None = None,
    ) -> str | None:
        """``core.extract.rendering.render`` in the calling thread."""
        from core.extract.rendering import render

        return render(html, url, output_format, options, guide)
