"""Assembly: page bytes into an Article — decode, extract, detect language, measure, fingerprint.

Shared by the network pipeline and the offline ``extract`` command, so both give the same
result for the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from core.errors import ExtractionFailed
from core.extract.article import extract_article
from core.extract.charset import decode_html
from core.extract.language import detect_language
from core.extract.textstats import MIN_ARTICLE_WORDS, reading_time_minutes
from core.extraction_options import DEFAULT_OPTIONS
from core.fingerprint import fingerprint
from core.ids import same_page
from core.models import Article, ArticleStatus
from core.page_guards import check_complexity
from core.ports import PageInput

logger = logging.getLogger(__name__)


def sha256_hex(body: bytes) -> str:
    """Hex SHA-256 of the raw bytes (the content hash of the raw store key)."""
    return hashlib.sha256(body).hexdigest()


def assemble(page: PageInput) -> Article | None:
    """The extracted Article (status ``extracted``), or None when the page holds no article;
    raises ``ExtractionFailed("too_complex")`` for a page no real one looks like."""
    check_complexity(page.body)
    decoded = decode_html(page.body, page.http_charset)
    location = page.final_url or page.url
    options = page.options
    extraction = extract_article(decoded.text, location, decoded.utf8, options)
    if extraction is None:
        return None
    canonical = extraction.canonical_url
    digest = fingerprint(extraction.text)  # counts the words as it goes: one split of the text
    words = digest.words
    if words < MIN_ARTICLE_WORDS:
        return None
    language = detect_language(extraction.text, extraction.declared_language)
    if options is not None and options.target_language and language != options.target_language:
        raise ExtractionFailed(
            "language_mismatch",
            f"the page's text is in {language or 'an undetermined language'}, not in"
            f" {options.target_language} (target_language)",
        )
    return Article(
        id=page.article_id,
        url=page.url,
        final_url=page.final_url,
        canonical_url=canonical,
        is_canonical=canonical is not None and same_page(canonical, location),
        status=ArticleStatus.EXTRACTED,
        title=extraction.title,
        author=extraction.author,
        date=extraction.date,
        sitename=extraction.sitename,
        hostname=urlsplit(location).hostname,
        language=language,
        description=extraction.description,
        categories=extraction.categories,
        tags=extraction.tags,
        image=extraction.image,
        text=extraction.text,
        page_type=extraction.page_type,
        word_count=words,
        reading_time_minutes=reading_time_minutes(words),
        content_sha256=page.content_sha256 or sha256_hex(page.body),
        fingerprint=digest.simhash,
        http_status=page.http_status,
        content_type=page.content_type,
        charset=decoded.encoding,
        options=options or DEFAULT_OPTIONS,
        links=extraction.links,
        images=extraction.images,
    )
