"""Content-Type parsing and HTML sniffing.

The fetcher never decodes or re-encodes a body: it keeps the bytes as they arrived and reports
the header's ``charset``; ``core.decoding.decode_html`` turns them into text (BOM, header,
``<meta>``, detection).
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def parse_content_type(header: str | None) -> tuple[str | None, str | None]:
    """``(mime type, charset)`` from a Content-Type header, both lowercased."""
    if not header:
        return None, None
    mime, *params = header.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").strip().lower() or None
    return mime.strip().lower() or None, charset


def sniff_html(body: bytes) -> bool:
    """Whether a body without a Content-Type starts like an HTML document."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--", b"<body"))
