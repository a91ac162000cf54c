"""The loop of one extraction worker process (see ``core.extraction_pool``).

A worker says ``READY`` on its end of a ``multiprocessing`` pipe once it has started (the pool
starts a page's wall-clock budget after it), then reads requests from it, one at a time, and
answers each on the same pipe. It puts its own ceilings on itself before it reads anything: an
address space limit (``RLIMIT_AS``: a page that needs more gets ``MemoryError``, answered
``too_complex``, and the worker retires) and, before each page, a CPU limit of what it has used
so far plus the page's budget (``RLIMIT_CPU``: the kernel stops it with ``SIGXCPU`` even when
libxml2 never returns to Python, and even if the parent is gone). It never dumps core.

Answers: ``("ok", value)`` or ``("failed", code, message, retiring)``: an ``ExtractionFailed``
leaves the worker serving; after a ``MemoryError`` or an unexpected exception it answers with
``retiring`` true and exits, so the pool replaces it with a fresh one.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

try:  # POSIX only; elsewhere a worker runs without kernel-enforced ceilings
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

from core.errors import ExtractionFailed

Reply = tuple[Any, ...]
#: A worker's first message, once it serves: the page budgets start after it.
READY = "ready"


def _assemble(page: Any) -> Any:
    from core.extract.assemble import assemble

    return assemble(page)


def _render(
    html: str, url: str | None, output_format: Any, options: Any = None, guide: Any = None
) -> Any:
    from core.extract.rendering import render

    return render(html, url, output_format, options, guide)


TASKS: dict[str, Callable[..., Any]] = {"assemble": _assemble, "render": _render}


def _task(task: str | Callable[..., Any]) -> Callable[..., Any]:
    """A named task, or a module-level function the parent sent by reference."""
    return TASKS[task] if isinstance(task, str) else task


def _limit_memory(memory_mb: int | None) -> None:
    if resource is None:
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_mb:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_mb * 1024 * 1024
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _limit_cpu(cpu_s: float | None) -> None:
    """Allow this process ``cpu_s`` more seconds of CPU (whole seconds, rounded up)."""
    if resource is None or not cpu_s:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(used + cpu_s) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _answer(task: str | Callable[..., Any], args: tuple[Any, ...], memory_mb: int | None) -> Reply:
    """The reply to one request (its last item, for a failure: whether the worker retires)."""
    try:
        return ("ok", _task(task)(*args))
    except ExtractionFailed as failure:
        return ("failed", failure.code, failure.message, False)
    except MemoryError:
        message = f"the page needs more than the extraction worker's {memory_mb} MB of memory"
        return ("failed", "too_complex", message, True)
    except RecursionError:
        return ("failed", "too_complex", "the page is nested too deeply to extract", True)
    except Exception as error:  # an extraction bug: this page fails, the worker is replaced
        message = f"extraction raised {type(error).__name__}: {error}"
        return ("failed", "extraction_crashed", message, True)


def serve(conn: Connection, memory_mb: int | None, cpu_s: float | None) -> None:
    """Answer requests on ``conn`` until it closes or a ``None`` request arrives."""
    _limit_memory(memory_mb)
    # Ctrl-C reaches the whole process group: the parent decides, the worker carries on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        conn.send(READY)
    except (OSError, ValueError):
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            break
        if request is None:
            break
        task, args = request
        _limit_cpu(cpu_s)
        reply = _answer(task, args, memory_mb)
        try:
            conn.send(reply)
        except MemoryError:
            reply = ("failed", "too_complex", "the extracted article is too large", True)
            conn.send(reply)
        except (OSError, ValueError):
            break
        if reply[0] != "ok" and reply[3]:
            break
    conn.close()
    sys.stdout.flush()
