"""robots.txt rules, cached per origin (scheme, host, port) with a time to live.

Following RFC 9309: a 4xx robots.txt means everything is allowed; a 5xx (or 429) means the
site is treated as fully disallowed for a short while; a network failure ends the fetch with
that failure (the page would not be reachable either).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.robotparser import RobotFileParser

logger = logging.getLogger(__name__)

UNAVAILABLE_TTL_S = 300.0


@dataclass(frozen=True)
class RobotsRules:
    """What one robots.txt allows; ``parser`` is None for allow-all / disallow-all."""

    allow_all: bool
    parser: RobotFileParser | None = None
    reason: str = ""

    @classmethod
    def from_text(cls, text: str) -> RobotsRules:
        parser = RobotFileParser()
        parser.parse(text.splitlines())
        return cls(allow_all=False, parser=parser)

    def can_fetch(self, user_agent: str, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(user_agent, url)


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
