"""A news site on 127.0.0.1 with a robots.txt, a sitemap index (two sitemaps, one gzipped), an
Atom feed and an RSS feed pointing at twelve pages: the six sample pages of
``tests/fixtures/pages`` and six generated articles. ``touch`` edits a page and moves its
``lastmod`` to now (``bump`` moves only the ``lastmod``); ``hits`` counts requests per path;
``extra`` adds documents (content type ``redirect``: a 302 to the body). Pages carry an
``ETag`` (their hash) and a ``Last-Modified``, and answer a matching ``If-None-Match`` with 304
(``not_modified`` counts those, ``conditional`` the conditional requests).
``SiteResolver`` stands in for DNS.
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import threading
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from core.fetch.addresses import IPAddress
from core.fetch.outcomes import FetchFailure, FetchOutcome
from tests.integration.async_site import article_page, article_text
from tests.support.page_server import BackgroundServer

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
FIXTURES = sorted(p.name for p in PAGES.glob("*.html"))
GENERATED = [f"article/{n}" for n in range(6)]
#: Which document lists which pages (``elsewhere`` entries point at another site).
LAYOUT = {
    "sitemap-a.xml": [f"pages/{FIXTURES[0]}", f"pages/{FIXTURES[1]}", GENERATED[0], GENERATED[1]],
    "sitemap-b.xml.gz": [
        f"pages/{FIXTURES[2]}",
        f"pages/{FIXTURES[3]}",
        GENERATED[2],
        GENERATED[3],
    ],
    "feed.atom": [f"pages/{FIXTURES[4]}", GENERATED[4], GENERATED[0]],
    "feed.rss": [f"pages/{FIXTURES[5]}", GENERATED[5]],
}
PAGE_PATHS = sorted({path for paths in LAYOUT.values() for path in paths})
FIRST_LASTMOD = datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


class DiscoverySite(BackgroundServer):
    """The site, served in a thread."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.lastmod = dict.fromkeys(PAGE_PATHS, FIRST_LASTMOD)
        self.revision: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.extra: dict[str, tuple[str, bytes]] = {}
        self.not_modified: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        super().__init__(type("Handler", (_Handler,), {"site": self}))

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def page_url(self, path: str) -> str:
        return f"{self.base}/{path}"

    @property
    def page_urls(self) -> list[str]:
        return [self.page_url(path) for path in PAGE_PATHS]

    def touch(self, path: str) -> None:
        """Edit the page at ``path``: new text, and ``lastmod`` now in every document."""
        with self.lock:
            self.revision[path] += 1
            self.lastmod[path] = datetime.now(UTC)

    def bump(self, path: str) -> None:
        """Move the ``lastmod`` of ``path`` to now without changing the page."""
        with self.lock:
            self.lastmod[path] = datetime.now(UTC)

    def page_hits(self) -> dict[str, int]:
        return {path: self.hits[f"/{path}"] for path in PAGE_PATHS}

    # -- documents --------------------------------------------------------------------------

    def document(self, name: str) -> tuple[str, bytes] | None:
        if name in self.extra:
            return self.extra[name]
        if name == "robots.txt":
            text = f"User-agent: *\nAllow: /\nSitemap: {self.base}/sitemap-index.xml\n"
            return "text/plain", text.encode()
        if name == "sitemap-index.xml":
            body = "".join(
                f"<sitemap><loc>{self.base}/{doc}</loc></sitemap>"
                for doc in ("sitemap-a.xml", "sitemap-b.xml.gz")
            )
            return "application/xml", _xml(f"<sitemapindex {_SM}>{body}</sitemapindex>")
        if name.startswith("sitemap-"):
            urls = "".join(
                f"<url><loc>{self.page_url(p)}</loc><lastmod>{self._lastmod(p)}</lastmod></url>"
                for p in LAYOUT[name]
            )
            xml = _xml(f"<urlset {_SM}>{urls}</urlset>")
            if name.endswith(".gz"):
                return "application/gzip", gzip.compress(xml)
            return "application/xml", xml
        if name == "feed.atom":
            entries = "".join(
                f"<entry><title>{p}</title><id>{self.page_url(p)}</id>"
                f"<link rel='alternate' type='text/html' href='{self.page_url(p)}'/>"
                f"<updated>{self._lastmod(p)}</updated></entry>"
                for p in LAYOUT[name]
            )
            feed = f"<feed xmlns='http://www.w3.org/2005/Atom'><title>News</title>{entries}</feed>"
            return "application/atom+xml", _xml(feed)
        if name == "feed.rss":
            items = "".join(
                f"<item><title>{p}</title><link>{self.page_url(p)}</link>"
                f"<pubDate>{self.lastmod[p].strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
                "</item>"
                for p in LAYOUT[name]
            )
            items += (
                "<item><title>off site</title><link>https://elsewhere.example/story</link></item>"
            )
            rss = f"<rss version='2.0'><channel><title>News</title>{items}</channel></rss>"
            return "application/rss+xml", _xml(rss)
        return None

    def _lastmod(self, path: str) -> str:
        return self.lastmod[path].isoformat()

    def page(self, path: str) -> bytes | None:
        revision = self.revision[path]
        if path.startswith("pages/") and path.removeprefix("pages/") in FIXTURES:
            body = (PAGES / path.removeprefix("pages/")).read_bytes()
            return body + f"<!-- revision {revision} -->".encode() if revision else body
        if path in GENERATED:
            n = path.rsplit("/", 1)[1]
            text = article_text(f"discovered-{n}-{revision}")
            return article_page(f"Discovered article {n}", text)
        return None


_SM = "xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'"


def _xml(text: str) -> bytes:
    return ("<?xml version='1.0' encoding='UTF-8'?>\n" + text).encode()


class _Handler(BaseHTTPRequestHandler):
    site: DiscoverySite

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        with self.site.lock:
            self.site.hits[path] += 1
            name = path.lstrip("/")
            document = self.site.document(name)
        if document is not None and document[0] == "redirect":
            self.send_response(302)
            self.send_header("Location", document[1].decode())
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if document is not None:
            self._send(*document)
            return
        page = self.site.page(name)
        if page is not None:
            etag = f'"{hashlib.sha256(page).hexdigest()[:16]}"'
            validators = {"ETag": etag, "Last-Modified": format_datetime(FIRST_LASTMOD, True)}
            asked = self.headers.get("If-None-Match")
            if asked is not None or self.headers.get("If-Modified-Since") is not None:
                with self.site.lock:
                    self.site.conditional[name] += 1
            if asked == etag:
                with self.site.lock:
                    self.site.not_modified[name] += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            charset = "windows-1252" if name.endswith("-cp1252-header.html") else "utf-8"
            self._send(f"text/html; charset={charset}", page, headers=validators)
            return
        self._send("text/plain", b"not found", status=404)

    def _send(
        self,
        content_type: str,
        body: bytes,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class SiteResolver:
    """Stub DNS: ``names`` → public test addresses, each routed to a local port; every other
    address goes to ``canary_port`` (a connection there means a check was bypassed)."""

    def __init__(self, names: dict[str, str], routes: dict[str, int], canary_port: int) -> None:
        self.names = names
        self.routes = routes
        self.canary_port = canary_port

    def resolve(self, host: str, timeout_s: float) -> list[IPAddress]:
        if host not in self.names:
            raise FetchFailure(FetchOutcome.DNS_ERROR, f"{host}: no such name (stub)")
        return [ipaddress.ip_address(self.names[host])]

    def connect_target(self, ip: IPAddress, port: int) -> tuple[str, int]:
        return "127.0.0.1", self.routes.get(str(ip), self.canary_port)
