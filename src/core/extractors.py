"""Page extractors: where ``core.assemble`` runs for the pipeline and the CLI.

``InProcessExtractor`` runs it in the calling thread (tests, benchmarks of the bare function);
the pipeline's default is chosen by ``core.services.Services.extractor``.
"""

from __future__ import annotations

from core.models import Article
from core.ports import PageInput


class InProcessExtractor:
    """``core.assemble.assemble`` in the calling thread: no budget, no isolation."""

    def assemble(self, page: PageInput) -> Article | None:
        """The extracted Article, or None when the page holds no article."""
        from core.assemble import assemble

        return assemble(page)
