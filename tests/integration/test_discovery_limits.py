"""Discovery's limits through the real safe fetcher: sites, loops, depth, documents, URLs,
``since``, hostile documents and private addresses. Names resolve through a stub resolver to
servers on 127.0.0.1; every address not routed to the site goes to a canary that must never
be reached."""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.discovery.discoverer import Discoverer, DiscoveryLimits, site_of
from core.discovery.errors import DiscoveryFailed
from core.fetch import FetchPolicy, SafeFetcher
from core.models import Article
from tests.integration.discovery_site import DiscoverySite, SiteResolver

PUBLIC = "93.184.216.34"
OTHER = "151.101.1.1"


class NoArticles:
    """An empty article store."""

    def get(self, article_id: str) -> Article | None:
        return None


@pytest.fixture
def site() -> Iterator[DiscoverySite]:
    with DiscoverySite() as server:
        yield server


@pytest.fixture
def canary() -> Iterator[DiscoverySite]:
    with DiscoverySite() as server:
        yield server


def make(site: DiscoverySite, canary: DiscoverySite, **limits: object) -> Discoverer:
    resolver = SiteResolver(
        names={
            "news.example.com": PUBLIC,
            "cdn.news.example.com": PUBLIC,
            "other.example.org": OTHER,
            "evil.example.net": "127.0.0.1",
            "meta.example.net": "169.254.169.254",
        },
        routes={PUBLIC: site.port, OTHER: site.port},
        canary_port=canary.port,
    )
    policy = FetchPolicy(
        allowed_ports={80, 443, site.port, canary.port},
        per_host_delay_s=0,
        per_host_concurrency=8,
        deadline_s=10,
        max_body_bytes=2_000_000,
    )
    return Discoverer(
        SafeFetcher(policy, resolver=resolver),
        NoArticles(),  # type: ignore[arg-type]
        DiscoveryLimits(**limits),  # type: ignore[arg-type]
    )


def url(site: DiscoverySite, host: str, path: str) -> str:
    return f"http://{host}:{site.port}/{path}"


def urlset(*locs: str, lastmod: str | None = None) -> tuple[str, bytes]:
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    body = "".join(f"<url><loc>{loc}</loc>{stamp}</url>" for loc in locs)
    return "application/xml", f"<urlset>{body}</urlset>".encode()


def index(*locs: str, lastmod: str | None = None) -> tuple[str, bytes]:
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    body = "".join(f"<sitemap><loc>{loc}</loc>{stamp}</sitemap>" for loc in locs)
    return "application/xml", f"<sitemapindex>{body}</sitemapindex>".encode()


def test_registrable_site() -> None:
    assert site_of("https://www.bbc.co.uk/news/1") == "bbc.co.uk"
    assert site_of("https://feeds.bbc.co.uk/x.rss") == "bbc.co.uk"
    assert site_of("http://127.0.0.1:8000/x") == "127.0.0.1"
    assert site_of("http://news.test/x") == "news.test"


def test_only_the_same_site_unless_allowed(site: DiscoverySite, canary: DiscoverySite) -> None:
    home = "news.example.com"
    site.extra["s.xml"] = urlset(
        url(site, home, "a"),
        url(site, "cdn.news.example.com", "b"),
        url(site, "other.example.org", "c"),
        "ftp://news.example.com/d",
    )
    site.extra["i.xml"] = index(url(site, home, "s.xml"), url(site, "other.example.org", "t.xml"))
    found = make(site, canary).discover("sitemap", url(site, home, "i.xml"))
    assert [u.url for u in found.urls] == [
        url(site, home, "a"),
        url(site, "cdn.news.example.com", "b"),
    ]
    assert found.skipped.off_site == 2  # the page and the sitemap on other.example.org
    assert found.skipped.invalid_url == 1
    assert site.hits["/t.xml"] == 0  # an off-site sitemap is not even fetched

    wide = make(site, canary, allow_other_sites=True).discover("sitemap", url(site, home, "s.xml"))
    assert len(wide.urls) == 3
    assert not canary.hits


def test_private_addresses_are_refused_and_never_dialled(
    site: DiscoverySite, canary: DiscoverySite
) -> None:
    discoverer = make(site, canary, allow_other_sites=True)
    for host in ("evil.example.net", "meta.example.net"):
        with pytest.raises(DiscoveryFailed) as caught:
            discoverer.discover("feed", url(site, host, "feed.rss"))
        assert caught.value.code == "blocked_address"
    site.extra["i.xml"] = index(
        url(site, "evil.example.net", "s.xml"), url(site, "news.example.com", "s.xml")
    )
    site.extra["s.xml"] = urlset(url(site, "news.example.com", "a"))
    found = discoverer.discover("sitemap", url(site, "news.example.com", "i.xml"))
    errors = {d.url: d.error.code for d in found.documents if d.error}
    assert errors == {url(site, "evil.example.net", "s.xml"): "blocked_address"}
    assert len(found.urls) == 1
    assert not canary.hits


def test_index_loops_and_depth(site: DiscoverySite, canary: DiscoverySite) -> None:
    home = "news.example.com"
    site.extra["loop-a.xml"] = index(url(site, home, "loop-a.xml"), url(site, home, "loop-b.xml"))
    site.extra["loop-b.xml"] = index(url(site, home, "loop-a.xml"), url(site, home, "s.xml"))
    site.extra["s.xml"] = urlset(url(site, home, "a"))
    found = make(site, canary, max_depth=2).discover("sitemap", url(site, home, "loop-a.xml"))
    assert [u.url for u in found.urls] == [url(site, home, "a")]
    assert (site.hits["/loop-a.xml"], site.hits["/loop-b.xml"], site.hits["/s.xml"]) == (1, 1, 1)

    for n in range(5):  # deep-0 → deep-1 → … → deep-4 → s.xml
        nxt = f"deep-{n + 1}.xml" if n < 4 else "s.xml"
        site.extra[f"deep-{n}.xml"] = index(url(site, home, nxt))
    deep = make(site, canary, max_depth=2).discover("sitemap", url(site, home, "deep-0.xml"))
    assert deep.urls == []
    assert deep.truncated
    assert [d.error.code for d in deep.documents if d.error] == ["too_deep"]
    assert site.hits["/deep-3.xml"] == 0


def test_document_and_url_limits(site: DiscoverySite, canary: DiscoverySite) -> None:
    home = "news.example.com"
    for n in range(30):
        site.extra[f"p{n}.xml"] = urlset(url(site, home, f"p{n}/a"), url(site, home, f"p{n}/b"))
    site.extra["big.xml"] = index(*(url(site, home, f"p{n}.xml") for n in range(30)))
    few = make(site, canary, max_documents=5).discover("sitemap", url(site, home, "big.xml"))
    assert sum(1 for d in few.documents if d.error is None) == 5
    assert few.truncated
    assert len(few.urls) == 8
    assert {d.error.code for d in few.documents if d.error} == {"document_limit"}
    assert sum(site.hits[f"/p{n}.xml"] for n in range(30)) == 4

    capped = make(site, canary).discover("sitemap", url(site, home, "big.xml"), limit=3)
    assert len(capped.urls) == 3
    assert capped.truncated
    assert capped.skipped.over_limit == 1  # the rest of the second sitemap; no third fetched
    assert site.hits["/p2.xml"] == 1


def test_since_skips_old_entries_and_old_sitemaps(
    site: DiscoverySite, canary: DiscoverySite
) -> None:
    home = "news.example.com"
    site.extra["old.xml"] = urlset(url(site, home, "old"), lastmod="2020-01-01")
    site.extra["mixed.xml"] = (
        "application/xml",
        (
            f"<urlset><url><loc>{url(site, home, 'then')}</loc><lastmod>2023-12-31</lastmod></url>"
            f"<url><loc>{url(site, home, 'now')}</loc><lastmod>2024-06-02</lastmod></url>"
            f"<url><loc>{url(site, home, 'undated')}</loc></url></urlset>"
        ).encode(),
    )
    site.extra["i.xml"] = (
        "application/xml",
        (
            f"<sitemapindex><sitemap><loc>{url(site, home, 'old.xml')}</loc>"
            "<lastmod>2020-01-02</lastmod></sitemap>"
            f"<sitemap><loc>{url(site, home, 'mixed.xml')}</loc></sitemap></sitemapindex>"
        ).encode(),
    )
    since = datetime(2024, 1, 1, tzinfo=UTC)
    found = make(site, canary).discover("sitemap", url(site, home, "i.xml"), since=since)
    assert [u.url for u in found.urls] == [url(site, home, "now"), url(site, home, "undated")]
    assert found.skipped.older == 1
    assert site.hits["/old.xml"] == 0


def test_hostile_documents_end_as_clear_failures(
    site: DiscoverySite, canary: DiscoverySite
) -> None:
    home = "news.example.com"
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000, compresslevel=9)
    site.extra["bomb.xml.gz"] = ("application/gzip", bomb)
    site.extra["huge.xml"] = ("application/xml", b"<urlset>" + b" " * 3_000_000 + b"</urlset>")
    site.extra["laughs.xml"] = (
        "application/xml",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<urlset><url><loc>&b;</loc></url></urlset>",
    )
    site.extra["page.html"] = ("text/html", b"<!doctype html><html><body>hi</body></html>")
    site.extra["image.png"] = ("image/png", b"\x89PNG\r\n")
    expected = {
        "bomb.xml.gz": "document_too_large",
        "huge.xml": "too_large",  # over the fetcher's max_body_bytes on the wire
        "laughs.xml": "unsafe_xml",
        "page.html": "not_a_feed",
        "image.png": "not_a_feed",
        "nowhere.xml": "http_error",
    }
    discoverer = make(site, canary, max_document_bytes=50_000_000)
    for name, code in expected.items():
        with pytest.raises(DiscoveryFailed) as caught:
            discoverer.discover("sitemap", url(site, home, name))
        assert caught.value.code == code, (name, caught.value.message)


def test_a_spent_time_budget_ends_the_discovery_cleanly(
    site: DiscoverySite, canary: DiscoverySite
) -> None:
    home = "news.example.com"
    site.extra["s.xml"] = urlset(url(site, home, "a"))
    site.extra["i.xml"] = index(url(site, home, "s.xml"))
    discoverer = make(site, canary)
    with pytest.raises(DiscoveryFailed) as caught:
        discoverer.discover("sitemap", url(site, home, "i.xml"), deadline=time.monotonic())
    assert (caught.value.code, caught.value.retryable) == ("timeout", True)
    assert site.hits["/i.xml"] == 0


def test_a_site_without_sitemap_lines_falls_back_to_sitemap_xml(
    site: DiscoverySite, canary: DiscoverySite
) -> None:
    home = "news.example.com"
    site.extra["robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /private\n")
    site.extra["sitemap.xml"] = urlset(url(site, home, "a"), url(site, home, "private/b"))
    found = make(site, canary).discover("site", url(site, home, "any/page"))
    assert [d.kind for d in found.documents] == ["robots", "sitemap"]
    # Discovery lists what the sitemap says; robots.txt is applied when each page is fetched.
    assert [u.url for u in found.urls] == [url(site, home, "a"), url(site, home, "private/b")]


def test_a_site_whose_sitemaps_all_fail_is_a_failed_discovery(
    site: DiscoverySite, canary: DiscoverySite
) -> None:
    home = "news.example.com"
    site.extra["robots.txt"] = ("text/plain", f"Sitemap: {url(site, home, 'gone.xml')}\n".encode())
    with pytest.raises(DiscoveryFailed) as caught:
        make(site, canary).discover("site", url(site, home, ""))
    assert caught.value.code == "http_error"


def test_a_feed_redirecting_to_a_private_address_is_refused(
    site: DiscoverySite, canary: DiscoverySite
) -> None:
    home = "news.example.com"
    site.extra["moved.rss"] = ("redirect", url(site, "meta.example.net", "feed.rss").encode())
    site.extra["moved2.rss"] = ("redirect", f"http://127.0.0.1:{canary.port}/feed.rss".encode())
    for name in ("moved.rss", "moved2.rss"):
        with pytest.raises(DiscoveryFailed) as caught:
            make(site, canary).discover("feed", url(site, home, name))
        assert caught.value.code == "blocked_address", caught.value.message
    assert not canary.hits
