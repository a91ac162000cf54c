"""Feed and sitemap parsers: each format, and hostile inputs refused quickly and clearly."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from core.discovery.errors import DocumentRejected
from core.discovery.parse import (
    DocumentKind,
    gunzip_bounded,
    parse_date,
    parse_document,
    robots_sitemaps,
)

BASE = "https://news.example.com/feeds/main"
MB = 1_000_000


def parse(body: bytes, **options: int) -> tuple[DocumentKind, list[tuple[str, datetime | None]]]:
    document = parse_document(body, BASE, max_bytes=options.pop("max_bytes", MB), **options)
    return document.kind, [(e.url, e.lastmod) for e in document.entries]


def rejected(body: bytes, **options: int) -> str:
    with pytest.raises(DocumentRejected) as caught:
        parse_document(body, BASE, max_bytes=options.pop("max_bytes", MB), **options)
    return caught.value.code


def test_rss_links_guids_and_dates() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel><title>News</title><link>https://news.example.com/</link>
    <image><url>https://news.example.com/logo.png</url></image>
    <item><title>A</title><link>/2024/a</link>
      <pubDate>Tue, 04 Jun 2024 10:00:00 +0200</pubDate></item>
    <item><guid isPermaLink="true">https://news.example.com/2024/b</guid>
      <dc:date>2024-06-05</dc:date></item>
    <item><guid isPermaLink="false">tag:news,2024:c</guid></item>
    </channel></rss>"""
    kind, entries = parse(rss)
    assert kind is DocumentKind.RSS
    assert entries == [
        ("https://news.example.com/2024/a", datetime(2024, 6, 4, 8, tzinfo=UTC)),
        ("https://news.example.com/2024/b", datetime(2024, 6, 5, tzinfo=UTC)),
    ]


def test_rss_1_rdf_items() -> None:
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://purl.org/rss/1.0/"><channel><title>x</title></channel>
      <item><link>https://news.example.com/r1</link></item></rdf:RDF>"""
    assert parse(rdf) == (DocumentKind.RSS, [("https://news.example.com/r1", None)])


def test_atom_prefers_the_html_alternate_and_updated() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><link rel="self" href="https://news.example.com/api/1"/>
      <link rel="alternate" type="application/pdf" href="https://news.example.com/1.pdf"/>
      <link href="https://news.example.com/1"/>
      <published>2024-01-01T00:00:00Z</published><updated>2024-02-01T00:00:00Z</updated></entry>
    <entry><link rel="enclosure" href="https://news.example.com/audio.mp3"/></entry>
    </feed>"""
    assert parse(atom) == (
        DocumentKind.ATOM,
        [("https://news.example.com/1", datetime(2024, 2, 1, tzinfo=UTC))],
    )


def test_json_feed() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "x",
        "items": [
            {
                "id": "1",
                "url": "https://news.example.com/j1",
                "date_modified": "2024-03-01T10:00:00+01:00",
            },
            {"id": "2", "url": "relative/j2", "date_published": "2024-03-02"},
            {"id": "3", "content_text": "no url"},
            "not an object",
        ],
    }
    kind, entries = parse(json.dumps(feed).encode())
    assert kind is DocumentKind.JSON_FEED
    assert entries == [
        (
            "https://news.example.com/j1",
            datetime(2024, 3, 1, 10, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("https://news.example.com/feeds/relative/j2", datetime(2024, 3, 2, tzinfo=UTC)),
    ]


def test_sitemaps_gzip_index_news_and_text() -> None:
    urlset = b"""<?xml version="1.0" encoding="UTF-8"?>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
            xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
            xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
      <url><loc> https://news.example.com/s1 </loc><lastmod>2024-05</lastmod>
        <image:image><image:loc>https://cdn.example.com/i.jpg</image:loc></image:image></url>
      <url><loc>https://news.example.com/s2</loc>
        <news:news><news:publication_date>2024-05-03T12:00:00Z</news:publication_date></news:news></url>
    </urlset>"""
    expected = [
        ("https://news.example.com/s1", datetime(2024, 5, 1, tzinfo=UTC)),
        ("https://news.example.com/s2", datetime(2024, 5, 3, 12, tzinfo=UTC)),
    ]
    assert parse(urlset) == (DocumentKind.SITEMAP, expected)
    assert parse(gzip.compress(urlset)) == (DocumentKind.SITEMAP, expected)
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://news.example.com/s-1.xml.gz</loc><lastmod>2024-06-01</lastmod></sitemap>
    </sitemapindex>"""
    document = parse_document(index, BASE, max_bytes=MB)
    assert document.is_index
    assert [e.url for e in document.entries] == ["https://news.example.com/s-1.xml.gz"]
    text = b"https://news.example.com/t1\n\nhttps://news.example.com/t2\n"
    assert parse(text)[0] is DocumentKind.TEXT_SITEMAP
    assert [u for u, _ in parse(text)[1]] == [
        "https://news.example.com/t1",
        "https://news.example.com/t2",
    ]


def test_byte_order_marks_and_declared_encodings() -> None:
    rss = "<rss><channel><item><link>https://news.example.com/été</link></item></channel></rss>"
    expected = (DocumentKind.RSS, [("https://news.example.com/été", None)])
    assert parse(b"\xef\xbb\xbf" + rss.encode()) == expected
    assert parse(rss.encode("utf-16")) == expected
    latin1 = "<?xml version='1.0' encoding='iso-8859-1'?>" + rss
    assert parse(latin1.encode("latin-1")) == expected
    feed = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"url": "https://a.b/c"}]}'
    assert parse(b"\xef\xbb\xbf" + feed) == (DocumentKind.JSON_FEED, [("https://a.b/c", None)])


def test_entries_stop_at_the_limit() -> None:
    urls = "".join(f"<url><loc>https://news.example.com/{n}</loc></url>" for n in range(50))
    document = parse_document(
        f"<urlset>{urls}</urlset>".encode(), BASE, max_bytes=MB, max_entries=10
    )
    assert len(document.entries) == 10
    assert document.truncated


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss><channel><item><link>https://news.example.com/&lol9;</link></item></channel></rss>"""


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        # external entities: a local file, and a URL (would be a request from our network)
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>https://news.example.com/&x;</loc></url></urlset>",
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://169.254.169.254/">]>'
        b"<feed><entry><link href='&x;'/></entry></feed>",
        # a parameter entity pulling an external DTD
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1/evil.dtd"> %p;]>'
        b"<urlset/>",
    ],
    ids=["billion-laughs", "external-file", "external-url", "parameter-entity"],
)
def test_entity_declarations_are_refused(body: bytes) -> None:
    assert rejected(body) == "unsafe_xml"


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 200 * MB, compresslevel=9)
    assert len(bomb) < MB
    assert rejected(bomb, max_bytes=10 * MB) == "document_too_large"
    with pytest.raises(DocumentRejected):
        gunzip_bounded(bomb, 10 * MB)


def test_oversized_and_corrupt_documents() -> None:
    assert rejected(b"<urlset>" + b" " * 2 * MB + b"</urlset>") == "document_too_large"
    assert rejected(b"\x1f\x8b\x08\x00garbage") == "not_a_feed"


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><html><body><p>an article</p></body></html>",
        b"<html><head><title>x</title></head></html>",
        b"<urlset><url><loc>https://news.example.com/unclosed",
        b"<?xml version='1.0'?>",
        b"",
        b"%PDF-1.7 binary",
        b'{"version": "https://jsonfeed.org/version/1.1"}',
        b'{"items": []}',
        b"[" * 10_000 + b"]" * 10_000,
        b'{"version": "https://jsonfeed.org/version/1", "items": [' + b"1" * 5_000 + b"]}",
        b"https://news.example.com/ok\nnot a url\n",
        b"<" + b"a>" * 100_000,  # nested deeper than libxml2 allows without huge_tree
    ],
    ids=[
        "html",
        "html-no-doctype",
        "truncated-xml",
        "no-root",
        "empty",
        "binary",
        "json-without-items",
        "json-not-a-feed",
        "json-too-deep",
        "json-long-number",
        "text-not-all-urls",
        "xml-too-deep",
    ],
)
def test_documents_that_are_not_feeds(body: bytes) -> None:
    assert rejected(body) == "not_a_feed"


def test_parse_date_forms() -> None:
    assert parse_date("2024-06-01") == datetime(2024, 6, 1, tzinfo=UTC)
    assert parse_date("2024-06-01T10:20:30Z") == datetime(2024, 6, 1, 10, 20, 30, tzinfo=UTC)
    assert parse_date("2024") == datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_date("Sat, 01 Jun 2024 10:00:00 GMT") == datetime(2024, 6, 1, 10, tzinfo=UTC)
    assert parse_date("yesterday") is None
    assert parse_date("") is None
    assert parse_date("9" * 10_000) is None


def test_robots_sitemap_lines() -> None:
    robots = (
        "User-agent: *\nDisallow: /private\n"
        "Sitemap: https://news.example.com/sitemap.xml # main\n"
        "sitemap:https://news.example.com/news.xml\n"
        "SITEMAP: https://news.example.com/sitemap.xml\n"
        "# Sitemap: https://news.example.com/commented.xml\n"
    )
    assert robots_sitemaps(robots) == [
        "https://news.example.com/sitemap.xml",
        "https://news.example.com/news.xml",
    ]
    many = "\n".join(f"Sitemap: https://news.example.com/{n}.xml" for n in range(500))
    assert len(robots_sitemaps(many, limit=100)) == 100


def test_entity_declarations_in_utf16_are_refused_too() -> None:
    laughs = BILLION_LAUGHS.decode().replace('<?xml version="1.0"?>', "").encode("utf-16")
    external = (
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<urlset><url><loc>https://news.example.com/&x;</loc></url></urlset>"
    ).encode("utf-16")
    assert rejected(laughs) in {"unsafe_xml", "not_a_feed"}  # libxml2's amplification guard
    assert rejected(external) == "unsafe_xml"
