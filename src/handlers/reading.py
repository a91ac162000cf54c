"""Reading stored articles back: the article, its raw bytes, its content in other formats."""

from __future__ import annotations

import logging

from core.errors import DomainError, NotFound
from core.formats import OutputFormat
from core.models import Article
from core.ports import ArticleStore, PageExtractor, RawHtmlStore

logger = logging.getLogger(__name__)


class ContentUnavailable(DomainError):
    """The article exists but has no content to show (still queued, or its fetch failed)."""

    code = "content_unavailable"


def load_article(articles: ArticleStore, article_id: str) -> Article:
    """The stored article; raises ``NotFound`` when there is none."""
    article = articles.get(article_id)
    if article is None:
        raise NotFound(f"no article with id {article_id}")
    return article


def raw_uri(article: Article) -> str:
    """Where the article's raw bytes are kept; raises ``ContentUnavailable`` when nowhere."""
    if not article.raw_html_uri:
        raise ContentUnavailable(
            f"article {article.id} has no stored page (status {article.status.value})"
        )
    return article.raw_html_uri


def raw_bytes(raw_store: RawHtmlStore, article: Article) -> bytes:
    """The page exactly as it was served."""
    return raw_store.get(raw_uri(article))


def render_content(
    raw_store: RawHtmlStore,
    extractor: PageExtractor,
    article: Article,
    output_format: OutputFormat,
) -> str:
    """The main content re-extracted from the stored page in ``output_format`` with the
    article's extraction options (by ``extractor``, within its budget: ``ExtractionFailed``
    when over it); txt, markdown and HTML hold the article's own text (its page type's)."""
    # charset_normalizer: imported on this route only, not by every API cold start
    from core.extract.charset import decode_html
    from core.extract.guided import guide_text

    decoded = decode_html(raw_bytes(raw_store, article), encoding=article.charset)
    guide = guide_text(article.title, article.text)
    rendered = extractor.render(
        decoded.text, article.final_url or article.url, output_format, article.options, guide
    )
    if rendered is None:
        raise ContentUnavailable(f"article {article.id} holds no main text to render")
    return rendered
