"""Per-request extraction options: what a caller may choose about one page's extraction.

The same model travels everywhere a page goes: the ``POST /articles`` body, the CLI, the intake
message and ``IngestRequested``, the extraction worker (it is a frozen, picklable pydantic
model), and the stored Article (``options``), so ``GET /articles/{id}/text`` re-renders with
them. The defaults are exactly what extraction did before options existed; an article
extracted with them keeps the id of its URL. Any other choice is part of the article's
identity (``key``, ``core.ids.article_id``): the same URL with other options is another
article, with an id of its own.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Favor = Literal["precision", "recall", "balanced"]


class ExtractionOptions(BaseModel):
    """How one page's main content is extracted (trafilatura's options of the same names)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    include_comments: bool = Field(
        default=False,
        strict=True,
        description="Keep the readers' comments after the main text (trafilatura's"
        " `include_comments`).",
    )
    include_tables: bool = Field(
        default=True, strict=True, description="Keep the text of tables in the main content."
    )
    include_links: bool = Field(
        default=False,
        strict=True,
        description="Keep the main content's links and list them in the Article's `links`"
        " (absolute http(s) URLs). The text stays plain; the markdown and HTML renderings keep"
        " links whatever this says.",
    )
    include_images: bool = Field(
        default=False,
        strict=True,
        description="Keep the main content's images and list them in the Article's `images`"
        " (absolute http(s) URLs). The markdown and HTML renderings keep images whatever this"
        " says.",
    )
    favor: Favor = Field(
        default="balanced",
        description="`precision`: less text, less noise; `recall`: more text, more noise;"
        " `balanced`: trafilatura's default.",
    )
    target_language: str | None = Field(
        default=None,
        pattern=r"^[a-z]{2}$",
        description="ISO 639-1 code: a page whose text is in another language ends `failed`"
        " with `language_mismatch` (never retried).",
    )

    def key(self) -> str:
        """The canonical text of the non-default options ("" for the defaults): what
        ``core.ids.article_id`` adds to the URL. Only the values that differ from the
        defaults count, so an option added later (with a default) changes no existing id."""
        chosen = self.model_dump(exclude_defaults=True)
        if not chosen:
            return ""
        return json.dumps(chosen, sort_keys=True, separators=(",", ":"))

    @property
    def is_default(self) -> bool:
        """Whether these are the default options (an article id of the URL alone)."""
        return not self.key()


DEFAULT_OPTIONS = ExtractionOptions()


def options_key(options: ExtractionOptions | None) -> str:
    """``options.key()``, "" for None."""
    return options.key() if options is not None else ""
