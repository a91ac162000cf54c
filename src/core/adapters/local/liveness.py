"""Liveness of lease holders: owner tokens that name their process, so a dead one is known
(and its lease taken at once).

An owner token names the machine (host name, boot id, PID namespace) and the process (PID and
its start time, so a reused PID is not mistaken for the holder). ``is_dead`` answers True only
when it can be sure: the token comes from this machine and either from an earlier boot, or its
process is gone or is now another process. A token from another machine, another PID
namespace, or in an older format is never declared dead; its lease runs out on its own.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from functools import cache
from pathlib import Path

_PROC = Path("/proc")


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


@cache
def _machine() -> dict[str, str | None]:
    namespace: str | None
    try:
        namespace = os.readlink(_PROC / "self" / "ns" / "pid")
    except OSError:
        namespace = None
    return {
        "host": socket.gethostname(),
        "boot": _read(_PROC / "sys" / "kernel" / "random" / "boot_id"),
        "ns": namespace,
    }


def _stat(pid: int) -> list[str] | None:
    """Fields 3 onwards of ``/proc/<pid>/stat`` (state, ppid...), None if unreadable."""
    stat = _read(_PROC / str(pid) / "stat")
    # The command name (field 2) is parenthesised and may hold spaces and parentheses.
    return None if stat is None else stat.rpartition(")")[2].split()


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from ``/proc``), None if unknown."""
    fields = _stat(pid)
    return fields[19] if fields is not None and len(fields) > 19 else None


def owner_token() -> str:
    """A new owner token for the calling process (unique per call)."""
    pid = os.getpid()
    return json.dumps(
        {**_machine(), "pid": pid, "start": process_start(pid), "id": uuid.uuid4().hex},
        sort_keys=True,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def is_dead(owner: str) -> bool:
    """Whether the process that wrote ``owner`` (an ``owner_token``) has certainly ended."""
    try:
        token = json.loads(owner)
        pid = int(token["pid"])
        host, boot, namespace = token["host"], token["boot"], token["ns"]
        start = token["start"]
    except (ValueError, TypeError, KeyError):
        return False  # not a token of ours: trust the lease's expiry
    here = _machine()
    if host != here["host"] or boot is None or here["boot"] is None:
        return False
    if boot != here["boot"]:
        return True  # written before this machine last booted
    if namespace is None or namespace != here["ns"]:
        return False  # its PIDs are not ours to look up
    if not _alive(pid):
        return True
    fields = _stat(pid)
    if fields is None or len(fields) <= 19:
        return False
    if fields[0] in ("Z", "X"):
        return True  # killed, not yet reaped by its parent
    return start is not None and fields[19] != start  # the PID now names another process
