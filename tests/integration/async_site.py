"""A generated news site on 127.0.0.1 for the async-pipeline tests.

Paths: ``/article/<n>`` (a unique article), ``/story/<g>/<copy>`` (the same article text under
different page chrome: near-duplicates at different URLs), ``/missing/<n>`` (404),
``/flaky/<n>`` (503 the first ``FLAKY_FAILURES`` times, then the article), ``/down/<n>``
(always 503) and ``/empty/<n>`` (a page without article text).
"""

from __future__ import annotations

import random
from collections import Counter
from http.server import BaseHTTPRequestHandler

from tests.support.page_server import BackgroundServer

FLAKY_FAILURES = 2
_VOCABULARY = (
    "the city council met on tuesday to discuss a new plan for public transport and "
    "housing residents said the proposal would change how people travel to work "
    "school and markets officials expect the first phase to start next spring after a "
    "period of consultation critics argued that the budget was too small for such an "
    "ambitious project while supporters pointed to similar schemes in other regions "
    "where traffic fell sharply engineers will survey the river bridge and the old "
    "railway line before any building local shops hope more visitors will arrive once "
    "the new stations open to passengers the mayor promised regular updates and an "
    "open meeting every month during construction "
)
_WORDS = tuple(_VOCABULARY.split())


def article_text(seed: str, paragraphs: int = 6) -> list[str]:
    """Paragraphs of English-looking text, distinct per ``seed``."""
    rng = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(3, 5)):
            words = [rng.choice(_WORDS) for _ in range(rng.randint(10, 18))]
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def article_page(title: str, paragraphs: list[str], chrome: str = "") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body>"
        f"<nav><a href='/'>Home</a> <a href='/news'>News</a> {chrome}</nav>"
        f"<article><h1>{title}</h1><p class='byline'>By Staff Reporter</p>{body}</article>"
        f"<footer>Copyright {chrome} Example News</footer></body></html>"
    ).encode()


EMPTY_PAGE = (
    b"<!DOCTYPE html><html><head><title>x</title></head><body><nav>Home</nav></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    site: NewsSite

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        self.site.hits[self.path] += 1
        kind = parts[0]
        if kind == "article" and len(parts) == 2:
            self._page(article_page(f"Article {parts[1]}", article_text(f"article-{parts[1]}")))
        elif kind == "story" and len(parts) == 3:
            chrome = f"edition {parts[2]}"
            self._page(article_page(f"Story {parts[1]}", article_text(f"story-{parts[1]}"), chrome))
        elif kind == "flaky" and len(parts) == 2:
            if self.site.hits[self.path] <= FLAKY_FAILURES:
                self._status(503)
            else:
                self._page(article_page(f"Flaky {parts[1]}", article_text(f"flaky-{parts[1]}")))
        elif kind == "down":
            self._status(503)
        elif kind == "empty":
            self._page(EMPTY_PAGE)
        else:
            self._status(404)

    def _page(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _status(self, status: int) -> None:
        body = b"unavailable" if status == 503 else b"not found"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class NewsSite(BackgroundServer):
    """The site, served in a thread; ``hits`` counts requests per path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        super().__init__(type("Handler", (_Handler,), {"site": self}))
