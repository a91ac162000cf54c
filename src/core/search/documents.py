"""What the index keeps per article besides its terms: display fields, facets, snippet text."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Article
from core.search.normalize import prepare_text

# The snippet is cut from the first SNIPPET_SOURCE_CHARS characters of the text (NFC). That
# covers a ~1,300-word article whole and bounds the index's doc item (see docs/search.md).
SNIPPET_SOURCE_CHARS = 8_000


@dataclass(frozen=True)
class Facets:
    """The fields search filters on."""

    language: str | None = None
    hostname: str | None = None
    sitename: str | None = None
    date: str | None = None

    @classmethod
    def of(cls, article: Article) -> Facets:
        """The facets of ``article`` (language lower-cased)."""
        language = article.language.lower() if article.language else None
        return cls(language, article.hostname, article.sitename, article.date)


@dataclass(frozen=True)
class IndexedDoc:
    """One indexed article as the index stores it."""

    id: str
    url: str
    title: str | None
    facets: Facets
    text: str

    @classmethod
    def of(cls, article: Article) -> IndexedDoc:
        """The stored form of ``article``: its final URL and the head of its text."""
        text = prepare_text(article.text or "")[:SNIPPET_SOURCE_CHARS]
        return cls(
            article.id, article.final_url or article.url, article.title, Facets.of(article), text
        )
