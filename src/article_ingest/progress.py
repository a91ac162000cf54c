"""A one-line progress bar on stderr, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import threading
from typing import TextIO

BAR_WIDTH = 30


class Progress:
    """Thread-safe counter that redraws ``[#####.....] done/total`` in place."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = total
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and total > 0
        self.done = 0
        self.failed = 0
        self._lock = threading.Lock()

    def advance(self, *, failed: bool = False) -> None:
        """Count one finished item and redraw."""
        with self._lock:
            self.done += 1
            self.failed += int(failed)
            if self.enabled:
                filled = BAR_WIDTH * self.done // self.total
                bar = "#" * filled + "." * (BAR_WIDTH - filled)
                self.stream.write(
                    f"\r{self.label} [{bar}] {self.done}/{self.total} ({self.failed} failed)"
                )
                self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
