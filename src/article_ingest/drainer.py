"""Background draining of the local runtime (queue and change stream), one pass at a time.

``serve`` kicks it after every POST that stored or queued something; ``ingest`` after every
URL, so articles are indexed and announced while later URLs are still being fetched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Drainer:
    """Runs the local runtime's ``drain`` in the background, one drain at a time; a kick while
    a drain runs schedules one more pass, so no queued request is left behind."""

    def __init__(self, drain: Callable[[], object]) -> None:
        self._drain = drain
        self._lock = threading.Lock()
        self._running = False
        self._again = False
        self._idle = threading.Event()
        self._idle.set()

    def kick(self) -> None:
        """Make sure a drain runs after this call."""
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
            self._idle.clear()
        threading.Thread(target=self._loop, name="drain", daemon=True).start()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no drain is running (tests and shutdown)."""
        return self._idle.wait(timeout)

    def _loop(self) -> None:
        while True:
            try:
                self._drain()
            except Exception:
                logger.exception("draining the local queue failed")
            with self._lock:
                if not self._again:
                    self._running = False
                    self._idle.set()
                    return
                self._again = False
