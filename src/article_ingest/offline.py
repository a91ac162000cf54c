"""Extraction from local files, with no storage and no network (``article-ingest extract``).

``extract_line`` is what the command sends to an extraction worker: the worker reads the file
and answers with the finished JSON line, so the command's own process imports neither
trafilatura nor pydantic (a shorter start-up) unless a page fails in a way only it can tell.
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from core.media_type import parse_content_type

if TYPE_CHECKING:
    from core.models import ExtractResult
    from core.ports import PageExtractor

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz", ".xhtml.gz")
# Bytes that never occur in an HTML document but always in images, archives and executables.
_BINARY_MARKERS = (b"\x00",)
_SNIFF_BYTES = 1024


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Each file as given; each directory as its HTML files (recursively, sorted)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(HTML_SUFFIXES)
            )
        else:
            yield path


def failure(source: Path, url: str, code: str, message: str) -> ExtractResult:
    """The ``failed`` result for one file."""
    from core.ids import article_id
    from core.models import ArticleError, ArticleStatus, ExtractResult

    return ExtractResult(
        id=article_id(url),
        url=url,
        status=ArticleStatus.FAILED,
        source=str(source),
        error=ArticleError(code=code, message=message),
    )


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        return gzip.decompress(data)
    return data


def page_url(path: Path, url: str | None) -> str:
    """The URL a file's article is known by: the one given, else the file's own."""
    return url or path.resolve().as_uri()


def extract_file(
    path: Path,
    url: str | None = None,
    content_type: str | None = None,
    extractor: PageExtractor | None = None,
) -> ExtractResult:
    """The Article in one file, or a ``failed`` result saying why there is none (``extractor``:
    where to extract; by default in this thread)."""
    from core.errors import ExtractionFailed
    from core.extractors import InProcessExtractor
    from core.ids import article_id
    from core.models import ExtractResult
    from core.ports import PageInput

    the_url = page_url(path, url)
    try:
        body = _read(path)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        return failure(path, the_url, "unreadable", f"cannot read {path}: {error}")
    if not body.strip():
        return failure(path, the_url, "empty_file", f"{path} is empty")
    utf16 = body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and any(marker in body[:_SNIFF_BYTES] for marker in _BINARY_MARKERS):
        return failure(path, the_url, "not_html", f"{path} is a binary file, not HTML")
    mime, charset = parse_content_type(content_type)
    page = PageInput(
        body=body,
        url=the_url,
        article_id=article_id(the_url),
        content_type=mime,
        http_charset=charset,
    )
    try:
        article = (extractor or InProcessExtractor()).assemble(page)
    except ExtractionFailed as error:
        return failure(path, the_url, error.code, f"{path}: {error.message}")
    if article is None:
        return failure(path, the_url, "empty_extraction", f"no article text found in {path}")
    return ExtractResult(**article.model_dump(), source=str(path))


def extract_line(path: Path, url: str | None, content_type: str | None) -> tuple[bool, str]:
    """``extract_file`` in this thread, as the command prints it: (failed, JSON line)."""
    from core.models import ArticleStatus

    result = extract_file(path, url, content_type)
    return result.status is ArticleStatus.FAILED, result.model_dump_json(exclude_none=False)
