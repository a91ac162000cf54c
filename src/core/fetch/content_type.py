"""Content-Type parsing and HTML decoding: BOM, then the HTTP header, then ``<meta>``, then
detection. The fetched bytes themselves are never re-encoded; this only decides how to read them.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Never decode with these even when a page asks for them (UTF-7 smuggles markup past filters).
_REFUSED = frozenset({"utf-7", "utf_7", "u7", "unicode-1-1-utf-7", "csunicode11utf7"})
_META_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE | re.DOTALL
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


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


def usable_codec(name: str | None) -> str | None:
    """The Python codec for a charset label, or None when unknown or refused."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    return None if codec in _REFUSED or name.lower() in _REFUSED else codec


def meta_charset(body: bytes) -> str | None:
    """The charset declared by a ``<meta>`` tag in the first 4 KiB, if any."""
    match = _META_RE.search(body[:4096])
    return match.group(1).decode("ascii", "ignore") if match else None


@dataclass(frozen=True)
class DecodedHtml:
    text: str
    encoding: str  # the codec used
    source: str  # "bom", "header", "meta", "detected" or "fallback"


def decode_html(body: bytes, header_charset: str | None = None) -> DecodedHtml:
    """Decode page bytes: BOM, HTTP header charset, ``<meta>``, detection, then UTF-8."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return DecodedHtml(body[len(bom) :].decode(bom_codec, "replace"), bom_codec, "bom")
    for source, label in (("header", header_charset), ("meta", meta_charset(body))):
        declared = usable_codec(label)
        if declared is None:
            continue
        try:
            return DecodedHtml(body.decode(declared), declared, source)
        except UnicodeDecodeError:
            logger.debug("declared %s charset %s does not decode the body", source, declared)
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    detected = usable_codec(best.encoding if best is not None else None)
    if detected is not None:
        return DecodedHtml(body.decode(detected, "replace"), detected, "detected")
    return DecodedHtml(body.decode("utf-8", "replace"), "utf-8", "fallback")
