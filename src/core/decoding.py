"""Decode page bytes the way a browser does (WHATWG encoding sniffing).

Order: byte-order mark, then the HTTP ``charset``, then a ``<meta>`` prescan of the first
1,024 bytes, then detection; an undeclared page that is not valid UTF-8 and that detection
cannot place outside the Latin family falls back to windows-1252, as browsers do.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

import charset_normalizer

logger = logging.getLogger(__name__)

# The WHATWG Encoding Standard maps these labels to a superset encoding; Python's codecs
# would decode them strictly (e.g. latin-1 has no curly quotes where windows-1252 does).
_WHATWG_LABELS = {
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "cp819": "cp1252",
    "ibm819": "cp1252",
    "x-cp1252": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
}
_REFUSED = frozenset({"utf-7"})
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.()+-]+)""", re.IGNORECASE
)
_PRESCAN_BYTES = 1024
# Detection reads at most this much: enough for a stable guess, cheap on 10 MB pages.
_DETECTION_SAMPLE_BYTES = 64 * 1024
# Single-byte Latin encodings that detection confuses with each other; the browser's
# default for undeclared legacy pages (windows-1252) is the better bet among them.
_LATIN_FAMILY = frozenset(
    codecs.lookup(name).name
    for name in (
        "cp1252",
        "latin_1",
        "iso8859_15",
        "mac_roman",
        "cp1250",
        "iso8859_2",
        "cp850",
        "cp437",
        "iso8859_3",
        "iso8859_4",
        "iso8859_9",
        "iso8859_10",
        "iso8859_13",
        "iso8859_14",
        "cp1254",
        "mac_latin2",
        "cp1257",
        "cp858",
        "ascii",
        "cp1258",
        "cp865",
        "cp860",
        "cp863",
        "mac_iceland",
        "mac_turkish",
        "cp1140",
        "cp500",
        "cp037",
    )
)


@dataclass(frozen=True)
class Decoded:
    """A page's text and how its encoding was chosen."""

    text: str
    encoding: str
    source: str  # "bom", "http", "meta", "detected" or "fallback"
    # The text's exact UTF-8 encoding when the page came as clean UTF-8 (the parser reads
    # bytes; encoding the text again would cost 0.2 ms on an average WCXB page).
    utf8: bytes | None = None


def resolve_label(label: str | None) -> str | None:
    """The Python codec for a WHATWG encoding label, or None when the label is unknown."""
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    mapped = _WHATWG_LABELS.get(cleaned, cleaned)
    try:
        info = codecs.lookup(mapped)
    except LookupError:
        return None
    # Only text encodings (not base64/rot13/zip codecs); never UTF-7, which smuggles markup.
    if not info._is_text_encoding or info.name in _REFUSED:
        return None
    return info.name


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    if not match:
        return None
    encoding = resolve_label(match.group(1).decode("ascii", "ignore"))
    # A page that could be read to find an ASCII meta tag is not UTF-16 (WHATWG rule).
    if encoding and encoding.startswith("utf-16"):
        return "utf-8"
    return encoding


def _detect(body: bytes) -> tuple[str, str]:
    sample = body[:_DETECTION_SAMPLE_BYTES]
    try:
        sample.decode("utf-8")
        return "utf-8", "detected"
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the sample boundary is still UTF-8.
        if error.start >= len(sample) - 3 and len(body) > len(sample):
            return "utf-8", "detected"
    best = charset_normalizer.from_bytes(sample).best()
    if best is not None:
        encoding = resolve_label(best.encoding)
        if encoding and encoding not in _LATIN_FAMILY:
            return encoding, "detected"
    return "cp1252", "fallback"


def decode_html(body: bytes, http_charset: str | None = None) -> Decoded:
    """Decode ``body`` as a browser would; never raises on bad bytes (they become U+FFFD)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return _decoded(body[len(bom) :], encoding, "bom")
    found: str | None = resolve_label(http_charset)
    source = "http"
    if found is None:
        found, source = _meta_charset(body), "meta"
    encoding, source = (found, source) if found else _detect(body)
    logger.debug("decoding with %s (from %s)", encoding, source)
    return _decoded(body, encoding, source)


def _decoded(body: bytes, encoding: str, source: str) -> Decoded:
    if encoding == "utf-8":
        try:
            return Decoded(body.decode("utf-8"), encoding, source, utf8=body)
        except UnicodeDecodeError:
            pass  # bad bytes: U+FFFD below, so the text is no longer the body
    return Decoded(body.decode(encoding, "replace"), encoding, source)
