"""Module-level functions the pool tests send to a worker (by reference) to misbehave in it."""

from __future__ import annotations

import ctypes
import os
import re
import time


def pid() -> int:
    """The worker's process id."""
    return os.getpid()


def segfault() -> None:
    """Read address 0: SIGSEGV."""
    ctypes.string_at(0)


def abort() -> None:
    """SIGABRT, as glibc's heap checks do."""
    os.abort()


def sleep(seconds: float) -> float:
    """Hold the worker without using CPU."""
    time.sleep(seconds)
    return seconds


def spin_in_c() -> bool:
    """Catastrophic backtracking: minutes of CPU inside one C call that never checks signals."""
    return re.match(r"(a|aa)+$", "a" * 60 + "b") is not None


def allocate(megabytes: int) -> int:
    """Touch ``megabytes`` of memory."""
    return len(bytearray(megabytes * 1024 * 1024))


def threads() -> tuple[int, int]:
    """The threads of this process and of the process that forked it."""
    return len(os.listdir("/proc/self/task")), len(os.listdir(f"/proc/{os.getppid()}/task"))
