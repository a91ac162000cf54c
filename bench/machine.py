"""Where and how a benchmark ran: machine, Python, library versions, command."""

from __future__ import annotations

import os
import platform
import shlex
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def cores() -> int:
    """CPUs this process may run on (what ``nproc`` prints)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def version(package: str) -> str:
    """Installed version of ``package``, or ``absent``."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def describe() -> dict[str, object]:
    """The machine and software a result was measured on."""
    return {
        "nproc": cores(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "trafilatura": version("trafilatura"),
        "lxml": version("lxml"),
        "py3langid": version("py3langid"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def command(module: str, args: list[str] | None = None) -> str:
    """The command line that reproduces a result."""
    shown = sys.argv[1:] if args is None else args
    return " ".join([".venv/bin/python", "-m", module, *map(shlex.quote, shown)])
