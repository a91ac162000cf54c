"""Extraction from local files, with no storage and no network (``article-ingest extract``)."""

from __future__ import annotations

import codecs
import gzip
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from core.assemble import assemble
from core.ids import article_id
from core.media_type import parse_content_type
from core.models import ArticleError, ArticleStatus, ExtractResult
from core.ports import PageInput

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


def _failure(source: Path, url: str, code: str, message: str) -> ExtractResult:
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


def extract_file(
    path: Path, url: str | None = None, content_type: str | None = None
) -> ExtractResult:
    """The Article in one file, or a ``failed`` result saying why there is none."""
    page_url = url or path.resolve().as_uri()
    try:
        body = _read(path)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        return _failure(path, page_url, "unreadable", f"cannot read {path}: {error}")
    if not body.strip():
        return _failure(path, page_url, "empty_file", f"{path} is empty")
    utf16 = body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and any(marker in body[:_SNIFF_BYTES] for marker in _BINARY_MARKERS):
        return _failure(path, page_url, "not_html", f"{path} is a binary file, not HTML")
    mime, charset = parse_content_type(content_type)
    page = PageInput(
        body=body,
        url=page_url,
        article_id=article_id(page_url),
        content_type=mime,
        http_charset=charset,
    )
    article = assemble(page)
    if article is None:
        return _failure(path, page_url, "empty_extraction", f"no article text found in {path}")
    return ExtractResult(**article.model_dump(), source=str(path))
