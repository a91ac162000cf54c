"""Progress on stderr: a one-line bar with rate and ETA (on a terminal only), and a note on how
the per-host delay bounds the pace of a batch."""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TextIO
from urllib.parse import urlsplit

BAR_WIDTH = 30
CLEAR_TO_END = "\033[K"  # a shorter redraw leaves no tail of the longer one
#: A batch the per-host delay keeps busy for less than this gets no note.
NOTE_FROM_S = 2.0


def duration(seconds: float) -> str:
    """``45 s``, ``2 min``, ``1 h 05 min``: how long, for a person."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def pace_note(urls: Iterable[str], delay_s: float) -> str | None:
    """Why a batch takes the time it takes, when URLs share a host: requests to one host start
    at least ``delay_s`` apart, so the busiest host alone needs ``(n - 1) * delay_s``. None when
    that is under ``NOTE_FROM_S``."""
    hosts = Counter(
        host for host in (_host(url) for url in dict.fromkeys(urls)) if host is not None
    )
    if not hosts or delay_s <= 0:
        return None
    busiest = max(hosts.values())
    floor = (busiest - 1) * delay_s
    if floor < NOTE_FROM_S:
        return None
    total = sum(hosts.values())
    spread = f"{len(hosts)} host" if len(hosts) == 1 else f"{len(hosts)} hosts"
    if len(hosts) > 1:
        spread += f" (up to {busiest} on one)"
    return (
        f"{total} URLs on {spread}: at least {duration(floor)} at {1 / delay_s:.3g} request/s"
        " per host; set ARTICLE_INGEST_PER_HOST_DELAY_S to change the delay"
    )


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return (host or "").rstrip(".") or None


class Progress:
    """Thread-safe counter that redraws
    ``label [#####.....] done/total (n failed) 2.5/s ETA 40 s`` in place."""

    def __init__(
        self,
        total: int,
        label: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and total > 0
        self.done = 0
        self.failed = 0
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()

    def note(self, text: str | None) -> None:
        """Print ``text`` on a line of its own (before the bar starts), if any."""
        if text:
            self.stream.write(text + "\n")
            self.stream.flush()

    def advance(self, *, failed: bool = False) -> None:
        """Count one finished item and redraw."""
        with self._lock:
            self.done += 1
            self.failed += int(failed)
            if self.enabled:
                self.stream.write("\r" + self.line() + CLEAR_TO_END)
                self.stream.flush()

    def line(self) -> str:
        """The bar as it stands: counts, rate (items per second so far) and time left."""
        filled = BAR_WIDTH * min(self.done, self.total) // self.total if self.total else 0
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        text = f"{self.label} [{bar}] {self.done}/{self.total} ({self.failed} failed)"
        elapsed = self._clock() - self._started
        if self.done and elapsed > 0:
            rate = self.done / elapsed
            left = max(self.total - self.done, 0) / rate
            text += f" {rate:.3g}/s ETA {duration(left)}"
        return text

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
