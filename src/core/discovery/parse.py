"""Parsers for feeds and sitemaps: bytes in, article (or sitemap) URLs with ``lastmod`` out.

RSS 2.0 (and RSS 1.0/RDF), Atom, JSON Feed, XML sitemaps, sitemap indexes and plain-text
sitemaps. Nothing here touches the network. Every input is untrusted:

* gzip is undone with a bound on the decompressed size (``document_too_large``);
* XML is parsed by lxml with entity substitution, DTD loading and network access off and
  libxml2's size and depth guards on (``huge_tree=False``); a document that declares entities
  at all is refused (``unsafe_xml``): no feed or sitemap needs one;
* the parse is streaming and stops after ``max_entries`` entries;
* JSON is checked for depth and number length (``core.safe_json``) before it is parsed.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin

from core import safe_json
from core.discovery.errors import DocumentRejected

#: Bytes handed to the XML parser at a time.
_CHUNK = 65_536
#: The sitemap protocol's own limit of entries per file.
MAX_ENTRIES = 50_000
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: Elements (local names) whose text is a date, in the order an entry's ``lastmod`` prefers.
_DATE_NAMES = ("lastmod", "updated", "modified", "date", "pubDate", "published", "issued")


class DocumentKind(StrEnum):
    """What a fetched document turned out to be."""

    RSS = "rss"
    ATOM = "atom"
    JSON_FEED = "json_feed"
    SITEMAP = "sitemap"
    SITEMAP_INDEX = "sitemap_index"
    TEXT_SITEMAP = "text_sitemap"


#: The element holding one entry, per kind of XML document.
_ENTRY_OF = {
    DocumentKind.RSS: "item",
    DocumentKind.ATOM: "entry",
    DocumentKind.SITEMAP: "url",
    DocumentKind.SITEMAP_INDEX: "sitemap",
}
_ROOTS = {
    "rss": DocumentKind.RSS,
    "RDF": DocumentKind.RSS,
    "feed": DocumentKind.ATOM,
    "urlset": DocumentKind.SITEMAP,
    "sitemapindex": DocumentKind.SITEMAP_INDEX,
}


@dataclass(frozen=True)
class Entry:
    """One URL a document lists, with its last modification when the document says."""

    url: str
    lastmod: datetime | None = None


@dataclass
class ParsedDocument:
    """The entries of one document: article URLs, or child sitemaps for an index."""

    kind: DocumentKind
    entries: list[Entry] = field(default_factory=list)
    truncated: bool = False

    @property
    def is_index(self) -> bool:
        return self.kind is DocumentKind.SITEMAP_INDEX


def parse_date(text: str | None) -> datetime | None:
    """A W3C/ISO 8601 date or datetime, or an RFC 822 date (RSS), as an aware datetime
    (UTC when the text has no zone); None when it is not a date."""
    if not text:
        return None
    value = text.strip()[:64]
    if not value:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        if len(value) in (4, 7) and value[:4].isdigit():  # W3C "YYYY" and "YYYY-MM"
            try:
                parsed = datetime.fromisoformat((value + "-01-01")[:10])
            except ValueError:
                parsed = None
        else:
            try:
                parsed = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                parsed = None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def gunzip_bounded(body: bytes, max_bytes: int) -> bytes:
    """Undo gzip, refusing more than ``max_bytes`` of output (a gzip bomb) or a corrupt file."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as error:
        raise DocumentRejected("not_a_feed", f"corrupt gzip data: {error}") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise DocumentRejected(
            "document_too_large", f"the document inflates to more than {max_bytes} bytes"
        )
    return out


def parse_document(
    body: bytes,
    base_url: str,
    *,
    max_bytes: int,
    max_entries: int = MAX_ENTRIES,
) -> ParsedDocument:
    """Parse a feed or sitemap (gzip or not) fetched from ``base_url``; raises
    ``DocumentRejected`` when it is none of the supported formats, unsafe or too large."""
    if body.startswith(_GZIP_MAGIC):
        body = gunzip_bounded(body, max_bytes)
    elif len(body) > max_bytes:
        raise DocumentRejected("document_too_large", f"the document is over {max_bytes} bytes")
    if body.startswith(_UTF16_BOMS):
        return _parse_xml(body, base_url, max_entries)  # libxml2 reads the BOM
    body = body.removeprefix(_UTF8_BOM)
    head = body[:1024].lstrip()
    if head.startswith(b"<"):
        return _parse_xml(body, base_url, max_entries)
    if head.startswith(b"{"):
        return _parse_json_feed(body, base_url, max_entries)
    if head.lower().startswith((b"http://", b"https://")):
        return _parse_text_sitemap(body, max_entries)
    raise DocumentRejected(
        "not_a_feed", "the document is not an RSS, Atom or JSON feed, nor a sitemap"
    )


# -- XML -------------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    """The local name of an element tag (``{ns}name`` → ``name``); '' for comments/PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _text(element: Any) -> str:
    return str(element.text or "").strip()


def _parse_xml(body: bytes, base_url: str, max_entries: int) -> ParsedDocument:
    from lxml import etree  # type: ignore[import-untyped]

    doctype = body.find(b"<!DOCTYPE")
    if doctype >= 0 and body.find(b"<!ENTITY", doctype) >= 0:
        # Checked before parsing too: libxml2 would fail on some of them with its own error.
        raise DocumentRejected("unsafe_xml", "the document declares XML entities; refused")

    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    document: ParsedDocument | None = None
    try:
        for offset in range(0, len(body), _CHUNK):
            parser.feed(body[offset : offset + _CHUNK])
            document = _consume(parser, document, base_url, max_entries)
            if document is not None and document.truncated:
                return document
        parser.close()
        document = _consume(parser, document, base_url, max_entries)
    except etree.XMLSyntaxError as error:
        raise DocumentRejected("not_a_feed", f"not well-formed XML: {error}") from None
    if document is None:
        raise DocumentRejected("not_a_feed", "the XML document has no root element")
    return document


def _consume(
    parser: Any, document: ParsedDocument | None, base_url: str, max_entries: int
) -> ParsedDocument | None:
    """Handle the parser's pending events; returns the document (None before the root)."""
    for event, element in parser.read_events():
        name = _local(element.tag)
        if document is None:
            _refuse_entities(element)
            kind = _ROOTS.get(name)
            if kind is None:
                raise DocumentRejected(
                    "not_a_feed",
                    f"an XML document whose root is <{name}> is not a feed or a sitemap",
                )
            document = ParsedDocument(kind)
            continue
        if event != "end" or name != _ENTRY_OF[document.kind]:
            continue
        entry = _entry(document.kind, element, base_url)
        if entry is not None:
            if len(document.entries) >= max_entries:
                document.truncated = True
                return document
            document.entries.append(entry)
        _release(element)
    return document


def _refuse_entities(root: Any) -> None:
    """Refuse a document whose DTD declares entities (billion laughs, external entities)."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise DocumentRejected("unsafe_xml", "the document declares XML entities; refused")


def _release(element: Any) -> None:
    """Free a handled entry and the siblings before it (the parse stays small in memory)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def _children(element: Any) -> Iterator[tuple[str, Any]]:
    for child in element:
        name = _local(child.tag)
        if name:
            yield name, child


def _lastmod(element: Any) -> datetime | None:
    found: dict[str, datetime] = {}
    for name, child in _children(element):
        if name in _DATE_NAMES and name not in found:
            when = parse_date(_text(child))
            if when is not None:
                found[name] = when
        elif name == "news":  # Google News sitemaps: <news:news><news:publication_date>
            for sub_name, sub in _children(child):
                when = parse_date(_text(sub)) if sub_name == "publication_date" else None
                if when is not None:
                    found.setdefault("published", when)
    for name in _DATE_NAMES:
        if name in found:
            return found[name]
    return None


def _absolute(base_url: str, link: str) -> str | None:
    link = link.strip()
    if not link or len(link) > 4096:
        return None
    if link[:8].lower().startswith(("https://", "http://")):
        return link  # already absolute: the common case, and urljoin is the parse's hot spot
    try:
        return urljoin(base_url, link)
    except ValueError:
        return None


def _entry(kind: DocumentKind, element: Any, base_url: str) -> Entry | None:
    if kind is DocumentKind.ATOM:
        url = _atom_link(element, base_url)
    elif kind is DocumentKind.RSS:
        url = _rss_link(element, base_url)
    else:
        loc = next((_text(c) for n, c in _children(element) if n == "loc"), "")
        url = _absolute(base_url, loc)
    return Entry(url, _lastmod(element)) if url else None


def _atom_link(entry: Any, base_url: str) -> str | None:
    candidates: list[tuple[int, str]] = []
    for name, child in _children(entry):
        href = child.get("href")
        if name != "link" or not href or child.get("rel", "alternate") != "alternate":
            continue
        rank = 0 if child.get("type", "text/html") in ("text/html", "application/xhtml+xml") else 1
        candidates.append((rank, href))
    if not candidates:
        return None
    return _absolute(base_url, min(candidates, key=lambda c: c[0])[1])


def _rss_link(item: Any, base_url: str) -> str | None:
    guid: str | None = None
    for name, child in _children(item):
        if name == "link":
            target = _text(child) or str(child.get("href") or "")
            if target:
                return _absolute(base_url, target)
        elif name == "guid" and child.get("isPermaLink", "true") != "false":
            guid = _text(child)
    if guid and guid.lower().startswith(("http://", "https://")):
        return _absolute(base_url, guid)
    return None


# -- JSON Feed and text sitemaps -------------------------------------------------------------


def _parse_json_feed(body: bytes, base_url: str, max_entries: int) -> ParsedDocument:
    try:
        safe_json.check(body)
        data = json.loads(body)
    except (safe_json.JsonTooComplex, ValueError) as error:
        raise DocumentRejected("not_a_feed", f"not a usable JSON document: {error}") from None
    version = data.get("version") if isinstance(data, dict) else None
    items = data.get("items") if isinstance(data, dict) else None
    if not (isinstance(version, str) and "jsonfeed.org/version/" in version) or not isinstance(
        items, list
    ):
        raise DocumentRejected("not_a_feed", "a JSON document that is not a JSON Feed")
    document = ParsedDocument(DocumentKind.JSON_FEED)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("url"), str):
            continue
        url = _absolute(base_url, item["url"])
        if url is None:
            continue
        if len(document.entries) >= max_entries:
            document.truncated = True
            break
        modified = item.get("date_modified") or item.get("date_published")
        document.entries.append(
            Entry(url, parse_date(modified if isinstance(modified, str) else None))
        )
    return document


def _parse_text_sitemap(body: bytes, max_entries: int) -> ParsedDocument:
    """A text sitemap: one absolute URL per line (UTF-8), nothing else."""
    document = ParsedDocument(DocumentKind.TEXT_SITEMAP)
    for raw in body.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.lower().startswith(("http://", "https://")) or len(line) > 4096:
            raise DocumentRejected("not_a_feed", "a text document that is not a text sitemap")
        if len(document.entries) >= max_entries:
            document.truncated = True
            break
        document.entries.append(Entry(line))
    return document


def robots_sitemaps(text: str, limit: int = 100) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, in order, at most ``limit``."""
    found: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip() and value.strip() not in found:
            found.append(value.strip())
            if len(found) >= limit:
                break
    return found
