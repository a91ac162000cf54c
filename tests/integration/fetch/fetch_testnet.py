"""Local test network for the fetcher tests: servers and a stub resolver; all on 127.0.0.1.

- ``canary``: an HTTP server that counts every connection it accepts. In the stub network every
  address that is not a designated public test address is routed to it, so a fetcher that let a
  hostile URL through would show up as a canary connection.
- ``site``: the "public" web site (plain HTTP); ``tls_site``: the same routes over HTTPS with a
  certificate for ``secure.test`` signed by a throw-away test CA.
"""

from __future__ import annotations

import gzip
import ipaddress
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from core.fetch.addresses import IPAddress
from core.fetch.outcomes import FetchFailure, FetchOutcome

ARTICLE = (
    b"<!doctype html><html><head><title>A story</title></head><body><article>"
    + b"<p>Plain words of a real article.</p>" * 20
    + b"</article></body></html>"
)
PUBLIC_V4 = "93.184.216.34"
PUBLIC_V4_B = "151.101.1.1"
PUBLIC_V6 = "2606:4700::1111"
TLS_V4 = "104.16.0.1"
CLOSED_V4 = "104.16.0.2"


#: robots.txt per test host (the stub resolver routes each to the site).
ROBOTS = {
    "robots.test": b"User-agent: *\nDisallow: /private\n",
    # RFC 9309: wildcards, `$`, and the longest match (urllib.robotparser takes the first).
    "rfc9309.test": b"User-agent: *\nDisallow: /*.pdf$\nDisallow: /art\nAllow: /article\n",
    "slowrobots.test": b"User-agent: *\nCrawl-delay: 0.5\n",
    "hostilerobots.test": b"User-agent: *\nCrawl-delay: 86400\n",
}


class CountingServer(ThreadingHTTPServer):
    """A threaded HTTP server that counts accepted connections and records requests."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.lock = threading.Lock()
        self.connections = 0
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.arrivals: list[tuple[str, str, float]] = []  # (Host, path, time.monotonic())
        self.in_flight = 0
        self.max_in_flight = 0

    def process_request(self, request: object, client_address: object) -> None:
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)  # type: ignore[arg-type]

    @property
    def port(self) -> int:
        return int(self.server_address[1])


class CanaryHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>canary: you reached a private address</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


VALIDATED_ETAG = '"v1"'
VALIDATED_LAST_MODIFIED = "Sat, 01 Jun 2024 08:00:00 GMT"


class SiteHandler(BaseHTTPRequestHandler):
    """Routes for the test site; see each ``r_*`` method."""

    server: CountingServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        self.query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        with self.server.lock:
            self.server.requests.append((self.path, dict(self.headers.items())))
            self.server.arrivals.append((self.headers.get("Host", ""), self.path, time.monotonic()))
        try:
            route = getattr(self, "r_" + parts.path.strip("/").replace("-", "_").replace(".", "_"))
            route()
        except AttributeError:
            self.send(404, b"not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send(
        self,
        status: int,
        body: bytes,
        ctype: str | None = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def r_robots_txt(self) -> None:
        host = self.headers.get("Host", "").partition(":")[0]
        if host in ROBOTS:
            self.send(200, ROBOTS[host], "text/plain")
        elif host == "robots5xx.test":
            self.send(503, b"busy", "text/plain")
        else:
            self.send(404, b"none", "text/plain")

    def r_article(self) -> None:
        self.send(200, ARTICLE)

    def r_validated(self) -> None:  # ETag "v1" and a Last-Modified; 304 when either matches
        validators = {"ETag": VALIDATED_ETAG, "Last-Modified": VALIDATED_LAST_MODIFIED}
        if (
            self.headers.get("If-None-Match") == VALIDATED_ETAG
            or self.headers.get("If-Modified-Since") == VALIDATED_LAST_MODIFIED
        ):
            self.send(304, b"", None, {"ETag": VALIDATED_ETAG}, length=False)
            return
        self.send(200, ARTICLE, headers=validators)

    def r_always_304(self) -> None:  # a 304 nobody asked for
        self.send(304, b"", None, length=False)

    def r_private(self) -> None:
        self.send(200, ARTICLE)

    def r_slow(self) -> None:
        # In flight = in the waiting phase; after the response is written the client may
        # release its slot before this thread runs again, so that phase is not counted.
        with self.server.lock:
            self.server.in_flight += 1
            self.server.max_in_flight = max(self.server.max_in_flight, self.server.in_flight)
        try:
            time.sleep(float(self.query.get("s", "0.1")))
        finally:
            with self.server.lock:
                self.server.in_flight -= 1
        self.send(200, ARTICLE)

    def r_echo(self) -> None:
        lines = "".join(f"<p>{k}: {v}</p>" for k, v in self.headers.items())
        self.send(200, f"<html><body>{lines}</body></html>".encode())

    def r_redirect(self) -> None:
        headers = {"Location": self.query["to"]}
        if "cookie" in self.query:
            headers["Set-Cookie"] = "session=secret; Path=/"
        self.send(int(self.query.get("code", "302")), b"", None, headers)

    def r_chain(self) -> None:
        n = int(self.query["n"])
        if n == 0:
            self.send(200, ARTICLE)
        else:
            self.send(302, b"", None, {"Location": f"/chain?n={n - 1}"})

    def r_loop_a(self) -> None:
        self.send(302, b"", None, {"Location": "/loop-b"})

    def r_loop_b(self) -> None:
        self.send(301, b"", None, {"Location": "/loop-a"})

    def r_big(self) -> None:  # declares 50 MB, sends 1 MB
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(50_000_000))
        self.end_headers()
        self.wfile.write(b"a" * 1_000_000)

    def r_big_stream(self) -> None:  # no length: 3 MB then close
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(48):
            self.wfile.write(b"<p>" + b"b" * 65_000 + b"</p>")

    def r_bomb(self) -> None:  # ~20 MB of zeros in ~20 KB of gzip
        self.send(200, BOMB, headers={"Content-Encoding": "gzip"})

    def r_gzip(self) -> None:
        self.send(200, gzip.compress(ARTICLE), headers={"Content-Encoding": "gzip"})

    def r_deflate_raw(self) -> None:
        obj = zlib.compressobj(wbits=-15)
        self.send(200, obj.compress(ARTICLE) + obj.flush(), headers={"Content-Encoding": "deflate"})

    def r_layers2(self) -> None:
        body = gzip.compress(gzip.compress(ARTICLE))
        self.send(200, body, headers={"Content-Encoding": "gzip, gzip"})

    def r_layers3(self) -> None:
        body = gzip.compress(gzip.compress(gzip.compress(ARTICLE)))
        self.send(200, body, headers={"Content-Encoding": "gzip, gzip, gzip"})

    def r_brotli(self) -> None:
        self.send(200, b"\x1b\x00\x00", headers={"Content-Encoding": "br"})

    def r_corrupt_gzip(self) -> None:
        self.send(200, b"\x1f\x8b\x08\x00garbage-not-deflate", headers={"Content-Encoding": "gzip"})

    def r_drip(self) -> None:  # headers, then one byte every 0.2 s for 30 s
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        for _ in range(150):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.2)

    def r_drip_headers(self) -> None:  # status line, then a header one byte every 0.2 s
        self.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
        for _ in range(150):
            self.wfile.write(b"y")
            self.wfile.flush()
            time.sleep(0.2)

    def r_pdf(self) -> None:
        self.send(200, b"%PDF-1.7 ...", "application/pdf")

    def r_png(self) -> None:
        self.send(200, b"\x89PNG\r\n\x1a\n....", "image/png")

    def r_notype(self) -> None:
        self.send(200, b"\x00\x01binary\xff", None)

    def r_notype_html(self) -> None:
        self.send(200, ARTICLE, None)

    def r_empty(self) -> None:
        self.send(200, b"")

    def r_latin1(self) -> None:  # lies: says UTF-8, sends Latin-1
        body = LATIN1_PAGE.encode("latin-1")
        self.send(200, body, "text/html; charset=utf-8")

    def r_utf7(self) -> None:
        body = b"<html><body><p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</p></body></html>"
        self.send(200, body, "text/html; charset=utf-7")

    def r_status(self) -> None:
        headers = {"Retry-After": self.query["retry_after"]} if "retry_after" in self.query else {}
        self.send(int(self.query["code"]), b"<html><body>error</body></html>", headers=headers)

    def r_challenge(self) -> None:
        self.send(503, CHALLENGE, headers={"Retry-After": "5"})

    def r_challenge200(self) -> None:
        self.send(200, CHALLENGE)


LATIN1_PAGE = (
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    "</head><body><p>Un café à Noël, déjà vu.</p></body></html>"
)
CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<div id='cf-challenge'>Enable JavaScript and cookies to continue</div>"
    b"<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>"
)
BOMB = gzip.compress(b"\0" * 20_000_000, compresslevel=9)


@dataclass(frozen=True)
class TestCA:
    ca_file: Path
    cert_file: Path
    key_file: Path


@dataclass
class StubResolver:
    """A stub DNS plus a stub network.

    ``names`` maps host names to address lists (a list of lists answers successive lookups, for
    rebinding). ``routes`` maps designated public test addresses to local servers; every other
    address is routed to the canary, so a connection to it is detected.
    """

    names: dict[str, list[str] | list[list[str]]]
    routes: dict[str, tuple[str, int]]
    canary_port: int
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def resolve(self, host: str, timeout_s: float) -> list[IPAddress]:
        with self.lock:
            self.calls.append(host)
            answer = self.names.get(host)
            if answer is None:
                raise FetchFailure(FetchOutcome.DNS_ERROR, f"{host}: no such name (stub)")
            if answer and isinstance(answer[0], list):
                step = sum(1 for c in self.calls if c == host) - 1
                answer = answer[min(step, len(answer) - 1)]  # type: ignore[assignment]
        return [ipaddress.ip_address(a) for a in answer]  # type: ignore[arg-type]

    def connect_target(self, ip: IPAddress, port: int) -> tuple[str, int]:
        return self.routes.get(str(ip), ("127.0.0.1", self.canary_port))
