"""Wall time and CPU time of a command and of every process it starts.

A command's wall time ends when it exits, its tree's when the last process it started exits
(a descendant holding the command's stdout keeps a pipe reader such as ``| jq`` waiting). Its
CPU time is the user + system time of the whole process tree, from
``resource.getrusage(RUSAGE_CHILDREN)`` before and after. That counter only grows when a
process is reaped by its parent, and a descendant whose parent never waits for it
(``multiprocessing``'s fork server outlives the command that started it) would be missed, so
this process makes itself the child subreaper (Linux ``prctl``): orphaned descendants become
its children and are reaped here, their CPU time counted.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

PR_SET_CHILD_SUBREAPER = 36
# How long the descendants that outlive the command are given to exit.
STRAGGLER_GRACE_S = 30.0


@dataclass(frozen=True)
class Timed:
    """One run of a command."""

    wall_s: float  # from start to the command's exit (the shell prompt is back)
    tree_wall_s: float  # from start to the exit of its last descendant (a pipe reads EOF)
    cpu_s: float  # user + system time of the command and all its descendants
    returncode: int
    stderr: str  # its last 2,000 characters


_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children (once; False if impossible)."""
    global _subreaper
    if _subreaper is None:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):  # not Linux
            _subreaper = False
    return _subreaper


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reap_stragglers(grace_s: float = STRAGGLER_GRACE_S) -> int:
    """Wait for every remaining child (orphaned descendants included); how many there were."""
    deadline = time.monotonic() + grace_s
    reaped = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid:
            reaped += 1
        elif time.monotonic() > deadline:
            raise RuntimeError(f"descendants still running {grace_s:g} s after the command")
        else:
            time.sleep(0.002)


def run(argv: Sequence[str], env: dict[str, str] | None = None) -> Timed:
    """Run ``argv`` (stdout discarded) and time it and its process tree."""
    become_subreaper()
    reap_stragglers()  # a previous command's
    # stderr to a file, not a pipe: a descendant holding the pipe open would delay the read
    with tempfile.TemporaryFile() as stderr:
        before = _children_cpu()
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        returncode = process.wait()
        wall = time.perf_counter() - start
        reap_stragglers()
        tree_wall = time.perf_counter() - start
        cpu = _children_cpu() - before
        stderr.seek(0)
        tail = stderr.read().decode("utf-8", "replace")[-2000:]
    return Timed(wall_s=wall, tree_wall_s=tree_wall, cpu_s=cpu, returncode=returncode, stderr=tail)
