"""robots.txt rules (RFC 9309, parsed by Protego), cached per origin with a time to live.

Matching follows RFC 9309: the group named by our product token (else ``*``), ``*`` and ``$``
wildcards in paths, and the longest matching rule decides (``Allow`` wins a tie), so
``Allow: /a/b`` after ``Disallow: /a`` allows ``/a/b``. ``Crawl-delay`` (not in the RFC, but
widely used) is read from the same group. Availability, as the RFC says: a 4xx robots.txt means
everything is allowed; a 5xx (or 429) means the site is treated as fully disallowed for a short
while; a network failure ends the fetch with that failure (the page would not be reachable
either).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from protego import Protego

UNAVAILABLE_TTL_S = 300.0


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against (RFC 9309 section 2.2.1): the first
    product of the User-Agent without its version, e.g. ``article-ingest``. Matching the whole
    header instead would let ``User-agent: github`` apply because our contact URL names it."""
    words = user_agent.split()
    return words[0].split("/", 1)[0] if words else ""


@dataclass(frozen=True)
class RobotsRules:
    """What one robots.txt allows; ``parser`` is None for allow-all / disallow-all."""

    allow_all: bool
    parser: Protego | None = None
    reason: str = ""
    # Protego memoises group lookups and builds its rule index lazily: one query at a time.
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @classmethod
    def from_text(cls, text: str) -> RobotsRules:
        return cls(allow_all=False, parser=Protego.parse(text))

    def can_fetch(self, user_agent: str, url: str) -> bool:
        """Whether the crawler named by ``user_agent`` may fetch ``url``."""
        if self.parser is None:
            return self.allow_all
        with self._lock:
            return self.parser.can_fetch(url, product_token(user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """The ``Crawl-delay`` (seconds) of the group that applies to us, if it sets one."""
        if self.parser is None:
            return None
        with self._lock:
            return self.parser.crawl_delay(product_token(user_agent))


class RobotsCache:
    """Thread-safe LRU cache of rules per origin; loads each origin at most once at a time."""

    def __init__(self, ttl_s: float, max_entries: int = 2048) -> None:
        self._ttl = ttl_s
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, RobotsRules]] = OrderedDict()
        self._loading = [threading.Lock() for _ in range(64)]

    def _cached(self, origin: str) -> RobotsRules | None:
        with self._lock:
            entry = self._entries.get(origin)
            if entry is None:
                return None
            expires, rules = entry
            if expires <= time.monotonic():
                del self._entries[origin]
                return None
            self._entries.move_to_end(origin)
            return rules

    def rules(self, origin: str, load: Callable[[], RobotsRules]) -> RobotsRules:
        """The rules for ``origin``, calling ``load`` when they are not cached."""
        rules = self._cached(origin)
        if rules is not None:
            return rules
        with self._loading[hash(origin) % len(self._loading)]:
            rules = self._cached(origin)
            if rules is not None:
                return rules
            rules = load()
            ttl = self._ttl if rules.parser is not None or rules.allow_all else UNAVAILABLE_TTL_S
            with self._lock:
                self._entries[origin] = (time.monotonic() + min(ttl, self._ttl), rules)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
            return rules
