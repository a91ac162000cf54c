"""What a request may say about how one page is ingested: its extraction options, how old a
stored copy may be, and whether to refetch regardless.

One model, inherited by every message that carries those fields: ``core.ports.IngestRequest``
(what the API and CLI queue), ``core.events.IntakeMessage`` (what the worker reads) and
``core.events.IngestRequested`` (what another service publishes), so the three never drift.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.extraction_options import ExtractionOptions


class PageDirectives(BaseModel):
    """``options``, ``max_age`` and ``force`` of a request for one page (a ``url``)."""

    options: ExtractionOptions | None = Field(
        default=None,
        description="Extraction options of the `url`, or of every URL a feed, sitemap or site"
        " lists (absent: the defaults); other than the defaults, they give the article an id of"
        " its own.",
    )
    max_age: int | None = Field(
        default=None,
        ge=0,
        description="Page only: a stored copy checked within this many seconds is kept"
        " without a fetch.",
    )
    force: bool = Field(
        default=False, description="Page only: refetch unconditionally (no max age, no 304)."
    )
