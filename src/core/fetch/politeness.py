"""Per-host politeness: at most N requests in flight per host and a minimum delay between starts.

The delay is the policy's ``per_host_delay_s`` unless a request asks for a longer one (the
site's robots.txt ``Crawl-delay``, capped by the policy: see ``FetchPolicy.host_delay``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core.fetch.outcomes import FetchFailure, FetchOutcome

logger = logging.getLogger(__name__)

_PURGE_ABOVE = 1024


@dataclass
class _HostState:
    active: int = 0
    next_start: float = 0.0


class HostLimiter:
    """Thread-safe per-host concurrency limit and minimum delay between request starts."""

    def __init__(self, concurrency: int, min_delay_s: float) -> None:
        if concurrency < 1 or min_delay_s < 0:
            raise ValueError("concurrency must be >= 1 and min_delay_s >= 0")
        self._concurrency = concurrency
        self._delay = min_delay_s
        self._cond = threading.Condition()
        self._hosts: dict[str, _HostState] = {}

    @contextmanager
    def slot(
        self, host: str, *, until: float | None = None, delay_s: float | None = None
    ) -> Iterator[float]:
        """Hold one request slot for ``host``; yields the seconds spent waiting for it.

        With ``until`` (a ``time.monotonic()`` instant), gives up at that instant with a
        ``timeout`` failure instead of waiting longer. ``delay_s`` (never below the limiter's
        own delay) is the gap this request leaves before the next start on ``host``."""
        delay = self._delay if delay_s is None else max(self._delay, delay_s)
        waited = self._acquire(host, until, delay)
        try:
            yield waited
        finally:
            self._release(host)

    def _acquire(self, host: str, until: float | None, delay: float) -> float:
        started = time.monotonic()
        with self._cond:
            if len(self._hosts) > _PURGE_ABOVE:
                self._purge()
            while True:
                # Re-read every time: an idle host's state may have been dropped meanwhile.
                state = self._hosts.setdefault(host, _HostState())
                now = time.monotonic()
                if state.active < self._concurrency and now >= state.next_start:
                    state.active += 1
                    state.next_start = now + delay
                    return now - started
                timeout = state.next_start - now if state.active < self._concurrency else None
                if until is not None:
                    if now >= until:
                        raise FetchFailure(
                            FetchOutcome.TIMEOUT,
                            f"the time budget ran out while waiting for a slot on {host}",
                        )
                    timeout = until - now if timeout is None else min(timeout, until - now)
                self._cond.wait(timeout)

    def _purge(self) -> None:
        now = time.monotonic()
        for name in [h for h, st in self._hosts.items() if not st.active and st.next_start <= now]:
            del self._hosts[name]

    def _release(self, host: str) -> None:
        with self._cond:
            state = self._hosts[host]
            state.active -= 1
            if state.active == 0 and state.next_start <= time.monotonic():
                del self._hosts[host]  # keep the table small; an idle host has no state
            self._cond.notify_all()

    def in_flight(self, host: str) -> int:
        """Requests to ``host`` currently holding a slot."""
        with self._cond:
            state = self._hosts.get(host)
            return state.active if state else 0
