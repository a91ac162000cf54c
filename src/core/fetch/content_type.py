"""HTML content types and sniffing: is a fetched body a page? (Parsing: ``core.media_type``.)

The fetcher never decodes or re-encodes a body: it keeps the bytes as they arrived and reports
the header's ``charset``; ``core.extract.charset.decode_html`` turns them into text (BOM, header,
``<meta>``, detection).
"""

from __future__ import annotations

import logging

from core.media_type import parse_content_type

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

__all__ = ["HTML_TYPES", "parse_content_type", "sniff_html"]


def sniff_html(body: bytes) -> bool:
    """Whether a body without a Content-Type starts like an HTML document."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--", b"<body"))
