"""What the index keeps per article besides its terms: display fields, facets, snippet text."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import Article
from core.search.normalize import prepare_text

# The index keeps the first MAX_TEXT_CHARS characters of the text (NFC) for snippets and phrase
# checks: far beyond any news article, and compressed well under DynamoDB's 400 KB item limit.
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True)
class Facets:
    """The fields search filters on."""

    language: str | None = None
    hostname: str | None = None
    sitename: str | None = None
    date: str | None = None
    page_type: str | None = None

    @classmethod
    def of(cls, article: Article) -> Facets:
        """The facets of ``article`` (language lower-cased)."""
        language = article.language.lower() if article.language else None
        page_type = article.page_type.value if article.page_type else None
        return cls(language, article.hostname, article.sitename, article.date, page_type)


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
        """The stored form of ``article``: its final URL and its text (up to ``MAX_TEXT_CHARS``)."""
        text = prepare_text(article.text or "")[:MAX_TEXT_CHARS]
        return cls(
            article.id, article.final_url or article.url, article.title, Facets.of(article), text
        )
