"""Charset: page bytes decoded to text the way a browser does (WHATWG encoding sniffing).

(The Content-Encoding of a response, gzip and the like, is ``core.fetch.content_encoding``'s.)

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

from core import encoding_labels
from core.encoding_labels import REPLACEMENT, X_USER_DEFINED

logger = logging.getLogger(__name__)

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


# Codecs detection may choose: every codec a browser decodes except the ones no page is
# sniffed as (UTF-16 has a BOM or a declaration; ISO-2022-JP is stateful).
_DETECTABLE = encoding_labels.ENCODINGS - {
    REPLACEMENT,
    X_USER_DEFINED,
    "utf-16-le",
    "utf-16-be",
    "iso2022_jp",
}
_DETECTION_CANDIDATES = sorted(_DETECTABLE)
# x-user-defined: ASCII as is, bytes 0x80-0xFF to U+F780-U+F7FF.
_X_USER_DEFINED = {byte: 0xF780 + byte - 0x80 for byte in range(0x80, 0x100)}


@dataclass(frozen=True)
class Decoded:
    """A page's text and how its encoding was chosen."""

    text: str
    encoding: str
    source: str  # "bom", "http", "meta", "detected", "fallback" or "stored"
    # The text's exact UTF-8 encoding when the page came as clean UTF-8 (the parser reads
    # bytes; encoding the text again would cost 0.2 ms on an average WCXB page).
    utf8: bytes | None = None


def resolve_label(label: str | None) -> str | None:
    """The codec for a WHATWG encoding label, or None when browsers do not know the label.

    Only the Encoding Standard's labels count (``core.encoding_labels``): ``idna``,
    ``punycode``, ``undefined``, ``utf-7``, ``base64`` and the like are unknown, so the page is
    sniffed further as a browser would.
    """
    if not label:
        return None
    return encoding_labels.lookup(label.strip().strip("\"'"))


def _meta_charset(body: bytes) -> str | None:
    """The first known charset declared by a ``<meta>`` in the first 1,024 bytes."""
    for match in _META_CHARSET.finditer(body[:_PRESCAN_BYTES]):
        encoding = resolve_label(match.group(1).decode("ascii", "ignore"))
        if encoding is None:
            continue  # an unknown label: the prescan goes on to the next <meta>
        # A page that could be read to find an ASCII meta tag is not UTF-16 (WHATWG rule),
        # and a <meta> cannot select x-user-defined.
        if encoding.startswith("utf-16"):
            return "utf-8"
        return "cp1252" if encoding == X_USER_DEFINED else encoding
    return None


def _detected_encoding(name: str) -> str | None:
    """Our codec for a codec name charset_normalizer reports (e.g. ``euc_kr`` → cp949)."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    if codec not in _DETECTABLE:
        codec = resolve_label(codec.replace("_", "-")) or ""
    return codec if codec in _DETECTABLE else None


def _detect(body: bytes) -> tuple[str, str]:
    sample = body[:_DETECTION_SAMPLE_BYTES]
    try:
        sample.decode("utf-8")
        return "utf-8", "detected"
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the sample boundary is still UTF-8.
        if error.start >= len(sample) - 3 and len(body) > len(sample):
            return "utf-8", "detected"
    # Like a browser's detector, guess only among the encodings a browser can decode.
    best = charset_normalizer.from_bytes(sample, cp_isolation=_DETECTION_CANDIDATES).best()
    if best is not None:
        encoding = _detected_encoding(best.encoding)
        if encoding and encoding not in _LATIN_FAMILY:
            return encoding, "detected"
    return "cp1252", "fallback"


def decode_html(
    body: bytes, http_charset: str | None = None, *, encoding: str | None = None
) -> Decoded:
    """Decode ``body`` as a browser would; never raises on bad bytes (they become U+FFFD).

    ``http_charset`` is the Content-Type's charset label. ``encoding`` is the ``Decoded.encoding``
    an earlier decoding of the same bytes chose (a stored article's ``charset``): it is used
    as is when it is one of ours, so a stored page reads back exactly as it was extracted.
    """
    for bom, bom_encoding in _BOMS:
        if body.startswith(bom):
            return _decoded(body[len(bom) :], bom_encoding, "bom")
    if encoding is not None and encoding in encoding_labels.ENCODINGS:
        return _decoded(body, encoding, "stored")
    found: str | None = resolve_label(http_charset)
    source = "http"
    if found is None:
        found, source = _meta_charset(body), "meta"
    chosen, source = (found, source) if found else _detect(body)
    logger.debug("decoding with %s (from %s)", chosen, source)
    return _decoded(body, chosen, source)


def _decoded(body: bytes, encoding: str, source: str) -> Decoded:
    if encoding == "utf-8":
        try:
            return Decoded(body.decode("utf-8"), encoding, source, utf8=body)
        except UnicodeDecodeError:
            pass  # bad bytes: U+FFFD below, so the text is no longer the body
    if encoding == REPLACEMENT:
        # Browsers refuse these encodings (ISO-2022-KR, HZ...): the page is one U+FFFD.
        return Decoded("\ufffd" if body else "", encoding, source)
    if encoding == X_USER_DEFINED:
        return Decoded(body.decode("latin-1").translate(_X_USER_DEFINED), encoding, source)
    return Decoded(body.decode(encoding, "replace"), encoding, source)
